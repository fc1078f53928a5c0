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

/// Compensation and transactions on both stores: an instance stored while its handler waits
/// (a user task) resumes from its stored state, and history records the compensation
/// (BPMN 2.0.2 §10.3.1, §10.6.5, §13.5.5).
@Suite struct CompensationStoreTests {
    static let model = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="refund" isExecutable="true">
        <startEvent id="s"/>
        <transaction id="tx">
          <startEvent id="ts"/>
          <task id="charge"/>
          <boundaryEvent id="chargeComp" attachedToRef="charge"><compensateEventDefinition/></boundaryEvent>
          <userTask id="refundCharge" isForCompensation="true"/>
          <association id="a1" sourceRef="chargeComp" targetRef="refundCharge"/>
          <task id="reserve"/>
          <boundaryEvent id="reserveComp" attachedToRef="reserve"><compensateEventDefinition/></boundaryEvent>
          <userTask id="release" isForCompensation="true"/>
          <association id="a2" sourceRef="reserveComp" targetRef="release"/>
          <endEvent id="cancel"><cancelEventDefinition/></endEvent>
          <sequenceFlow id="t1" sourceRef="ts" targetRef="charge"/>
          <sequenceFlow id="t2" sourceRef="charge" targetRef="reserve"/>
          <sequenceFlow id="t3" sourceRef="reserve" targetRef="cancel"/>
        </transaction>
        <boundaryEvent id="cancelled" attachedToRef="tx"><cancelEventDefinition/></boundaryEvent>
        <endEvent id="done"/><endEvent id="undone"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="tx"/>
        <sequenceFlow id="f2" sourceRef="tx" targetRef="done"/>
        <sequenceFlow id="f3" sourceRef="cancelled" targetRef="undone"/>
      </process>
    </definitions>
    """

    /// The transaction is cancelled: its completed activities' handlers (user tasks) run one at
    /// a time, the last completed first; the compensation in progress is stored and read back.
    @Test(arguments: ["sqlite", "postgres"]) func aCancelledTransactionCompensatesFromItsStoredState(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "compensation")
        defer { cleanup() }
        let first = try await quietRuntime(store)
        _ = try await first.deploy(source: Self.model, file: "refund.bpmn")
        let instance = try await first.startInstance("refund")
        var order: [String] = []
        for _ in 0..<3 {
            let open = try await store.userTasks(TaskQuery(status: "open", instanceId: instance.id))
            guard let task = open.first else { break }
            #expect(open.count == 1, "one handler at a time")
            order.append(task.elementId)
            let stored = try #require(try await store.instance(instance.id))
            #expect(stored.tokens.contains { if case .compensationHandler(let r) = $0.wait { r.elementId != "" } else { false } },
                    "the running handler is stored and read back")
            _ = try await first.completeTask(task.id, variables: [:])
        }
        #expect(order == ["release", "refundCharge"])
        let final = try #require(try await store.instance(instance.id))
        #expect(final.status == .completed)
        let history = try await store.history(instanceId: instance.id)
        #expect(history.filter { $0.event == "compensating" }.map(\.elementId) == ["reserve", "charge"])
        #expect(history.filter { $0.event == "compensated" }.map(\.elementId) == ["reserve", "charge"])
        #expect(history.contains { $0.elementId == "undone" && $0.event == "completed" })
        #expect(!history.contains { $0.elementId == "done" })
    }

    /// The trip model (a hotel, a multi-instance of two flights, a compensation throw): the
    /// handlers ran the last completed first and saw the variables of their activity's completion.
    @Test(arguments: ["sqlite", "postgres"]) func handlersRunInReverseWithTheirSnapshot(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "compensation")
        defer { cleanup() }
        let runtime = try await quietRuntime(store)
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/compensation/trip-booking.bpmn").path
        _ = try await runtime.deploy(source: try String(contentsOfFile: path, encoding: .utf8), file: path)
        let instance = try await runtime.startInstance("trip-booking")
        let final = try #require(try await store.instance(instance.id))
        #expect(final.status == .completed)
        #expect(final.variables["refund"] == 100)
        #expect(final.variables["lastUndone"] == "LH1")
        let history = try await store.history(instanceId: instance.id)
        #expect(history.filter { $0.event == "compensated" }.map(\.elementId) == ["bookFlight", "bookFlight", "bookHotel"])
    }
}
