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

/// Repeating timers and conditional events on both stores, across a restart of the runtime:
/// a cycle's next occurrence keeps its own times (no drift), and a condition that fired does
/// not fire again after the restart while it still holds (BPMN 2.0.2 §10.5.4, §10.5.5).
@Suite struct TimerAndConditionStoreTests {
    static let model = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="watch" isExecutable="true">
        <startEvent id="s"/>
        <userTask id="work"/>
        <boundaryEvent id="remind" attachedToRef="work" cancelActivity="false">
          <timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition>
        </boundaryEvent>
        <boundaryEvent id="hot" attachedToRef="work" cancelActivity="false">
          <conditionalEventDefinition><condition>=flow_temp_c &gt; 30</condition></conditionalEventDefinition>
        </boundaryEvent>
        <endEvent id="e"/><endEvent id="reminded"/><endEvent id="alarmed"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
        <sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
        <sequenceFlow id="f3" sourceRef="remind" targetRef="reminded"/>
        <sequenceFlow id="f4" sourceRef="hot" targetRef="alarmed"/>
      </process>
    </definitions>
    """

    func count(_ store: any ProcessStore, _ id: String, _ element: String) async throws -> Int {
        try await store.history(instanceId: id).filter { $0.elementId == element && $0.event == "activated" }.count
    }

    @Test(arguments: ["sqlite", "postgres"]) func cyclesAndConditionsGoOnAfterARestart(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "timers")
        defer { cleanup() }
        let clock = ManualClock()
        let t0 = clock.now()
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.model, file: "watch.bpmn")
        let id = try await first.startInstance("watch", variables: ["flow_temp_c": 20]).id
        clock.set(t0.addingTimeInterval(3600 + 90))  // the first occurrence fires a little late
        _ = try await first.fireDueTimers()
        await first.waitIdle()
        _ = try await first.send(.setVariables(["flow_temp_c": 31]), to: id)
        await first.shutdown()

        let second = try await quietRuntime(store, clock: clock)
        let due = try await store.dueTimers(before: .distantFuture, limit: 10).filter { $0.instanceId == id }
        #expect(due.map(\.dueAt) == [t0.addingTimeInterval(7200)],
                "the next occurrence is on its own time, not 1 h after the late one")
        _ = try await second.send(.setVariables(["flow_temp_c": 32]), to: id)  // still true: no second alarm
        #expect(try await count(store, id, "hot") == 1)
        _ = try await second.send(.setVariables(["flow_temp_c": 20]), to: id)
        _ = try await second.send(.setVariables(["flow_temp_c": 33]), to: id)
        #expect(try await count(store, id, "hot") == 2)
        clock.set(t0.addingTimeInterval(7200))
        _ = try await second.fireDueTimers()
        await second.waitIdle()
        #expect(try await count(store, id, "remind") == 2)
        await second.shutdown()
    }
}
