import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Logging
import Testing

/// Ad-hoc sub-processes on both stores (Camunda docs "Ad-hoc sub-processes"): the activated
/// elements, the collected output and an ad-hoc sub-process that activated nothing are stored
/// and read back by a runtime started anew on the same store.
@Suite struct AdHocStoreTests {
    static let model = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                 xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
      <process id="review" isExecutable="true">
        <startEvent id="s"/>
        <adHocSubProcess id="a">
          <extensionElements>
            <zeebe:adHoc activeElementsCollection="=steps" outputCollection="notes" outputElement="=note"/>
          </extensionElements>
          <userTask id="legal"/><userTask id="finance"/><userTask id="ops"/>
          <completionCondition>=enough = true</completionCondition>
        </adHocSubProcess>
        <endEvent id="e"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="e"/>
      </process>
    </definitions>
    """

    /// Three tasks activated; after a restart, completing one that makes the completion condition
    /// true terminates the one still open and propagates the collected notes.
    @Test(arguments: ["sqlite", "postgres"]) func activatedElementsAndOutputSurviveARestart(kind: String)
        async throws
    {
        let (store, cleanup) = try await migratedStore(kind, database: "adhoc")
        defer { cleanup() }
        let first = try await quietRuntime(store)
        _ = try await first.deploy(source: Self.model, file: "review.bpmn")
        let instance = try await first.startInstance("review", variables: ["steps": ["legal", "finance", "ops"]])
        let open = try await store.userTasks(TaskQuery(status: "open", instanceId: instance.id))
        #expect(open.map(\.elementId).sorted() == ["finance", "legal", "ops"])
        let second = try await quietRuntime(store)
        let legal = try #require(open.first { $0.elementId == "legal" })
        _ = try await second.completeTask(legal.id, variables: ["note": "ok by legal", "enough": false])
        #expect(try await store.instance(instance.id)?.status == .running)
        let finance = try #require(open.first { $0.elementId == "finance" })
        _ = try await second.completeTask(finance.id, variables: ["note": "ok by finance", "enough": true])
        let final = try #require(try await store.instance(instance.id))
        #expect(final.status == .completed)
        #expect(final.variables["notes"] == ["ok by legal", "ok by finance"])
        let history = try await store.history(instanceId: instance.id)
        #expect(history.contains { $0.elementId == "ops" && $0.event == "terminated" })
        #expect(try await store.userTasks(TaskQuery(status: "open", instanceId: instance.id)).isEmpty)
    }

    /// "If the list is empty … the ad-hoc sub-process remains active": also as stored.
    @Test(arguments: ["sqlite", "postgres"]) func anAdHocSubProcessThatActivatedNothingStaysActive(kind: String)
        async throws
    {
        let (store, cleanup) = try await migratedStore(kind, database: "adhoc")
        defer { cleanup() }
        let first = try await quietRuntime(store)
        _ = try await first.deploy(source: Self.model, file: "review.bpmn")
        let instance = try await first.startInstance("review", variables: ["steps": []])
        let stored = try #require(try await store.instance(instance.id))
        #expect(stored.status == .running)
        #expect(stored.tokens.map(\.elementId) == ["a"])
        #expect(stored.adHocWaiting == Set(stored.tokens.map(\.id)))
    }
}
