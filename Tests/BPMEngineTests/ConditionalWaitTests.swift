import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// `on_condition` in the YAML DSL (docs/dsl.md): conditional boundary events on a wait, with the
/// semantics of BPMN's (docs/bpmn.md, Conditional events), driven by correlated events
/// (`.correlate`, what a later Kafka or MQTT event for the instance's key becomes).
@Suite struct ConditionalWaitTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/conditional/cooling-watch.yaml")

    static let start: [String: Value] = ["device_id": "hp9", "flow_temp_c": 26]

    func model() throws -> ProcessDefinition {
        let source = try String(contentsOf: Self.fixture, encoding: .utf8)
        return try definition(source.replacingOccurrences(of: "TOPIC", with: "t"))
    }

    /// A warm reading starts the side path once (false → true); another warm one does not; a hot
    /// one interrupts the wait (its timer cancelled) and the path goes to emergency_stop.
    @Test func correlatedReadingsFireOnTheChangeToTrue() throws {
        let d = try model()
        var t = Engine.start(d, instanceId: "i", version: 1, variables: Self.start, now: t0)
        let timer = try #require(t.timers.first)
        func correlate(_ temp: Double) throws {
            t = try Engine.apply(.correlate(variables: ["flow_temp_c": .number(temp)]), to: t.state,
                                 definition: d, now: t0)
        }
        try correlate(29)
        #expect(completedPath(t.history) == ["wait_recheck_condition_2", "log_warm", "warm_done"])
        #expect(t.state.variables["warmAt"] == 29)
        try correlate(29.5)
        #expect(!t.history.contains { $0.elementId == "log_warm" }, "still true: no second firing")
        try correlate(27)
        try correlate(31)
        #expect(t.state.status == .completed)
        #expect(t.cancelledTimers == [timer.id])
        #expect(completedPath(t.history).contains("emergency_stop"))
        #expect(t.state.variables["outcome"] == "stopped")
        #expect(!t.history.contains { $0.elementId == "log_warm" },
                "27 then 31 jumps past 28 and 30 at once: the interrupting event ends the wait first")
    }

    /// Without an event the wait ends as a timer does, and the normal path is taken.
    @Test func theWaitEndsNormallyWhenNothingFires() throws {
        let d = try model()
        let t = Engine.start(d, instanceId: "i", version: 1, variables: Self.start, now: t0)
        let timer = try #require(t.timers.first)
        let done = try Engine.apply(.timerFired(timerId: timer.id), to: t.state, definition: d, now: t0)
        #expect(done.state.variables["outcome"] == "cooled")
        #expect(done.state.status == .completed)
    }

    @Test func badFormsAreRefusedWithTheirPosition() throws {
        func errors(_ onCondition: String, type: String = "timer") -> [String] {
            let yaml = """
            id: p
            activities:
              - id: w
                type: \(type)
                duration: 1h
                on_condition: \(onCondition)
              - {id: x, type: script, set: {a: 1}}
            """
            do {
                _ = try definition(yaml)
                return []
            } catch let e as DefinitionErrors {
                return e.errors.map(\.description)
            } catch {
                return ["\(error)"]
            }
        }
        #expect(errors("{when: t > }").first?.hasPrefix("test.yaml:6:") == true)
        #expect(errors("{next: x}") == [
            "test.yaml:6:19: error: on_condition needs 'when' (a condition such as flow_temp_c > 30)",
        ])
        #expect(errors("{when: t > 1, interrupting: false}") == [
            "test.yaml:6:19: error: a non-interrupting on_condition needs 'next': the side path it starts while 'w' "
                + "goes on waiting",
        ])
        #expect(errors("{when: t > 1, next: nowhere}").first?.contains("unknown activity 'nowhere'") == true)
        #expect(errors("{when: t > 1, then: x}").first?.contains("then") == true)
        #expect(errors("{when: t > 1}", type: "script").contains {
            $0.contains("'on_condition' applies only to activities that wait")
        })
    }
}
