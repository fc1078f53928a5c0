import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// What the history says about multi-instance activities and runaway loops.
@Suite struct HistoryTests {
    static let approvals = """
        id: p
        activities:
          - id: approve
            type: user
            multi_instance: {over: approvers, as: approver}
          - {id: done, type: end}
        """

    /// A multi-instance activity is a body that holds its instances (BPMN 2.0 §13.3.7, and as
    /// Zeebe records it: one `multiInstanceBody` element instance around one per item): the body
    /// is activated and completes once, each instance has its own element-instance id.
    @Test func aMultiInstanceBodyIsToldFromItsInstances() throws {
        let d = try definition(Self.approvals)
        var t = Engine.start(d, instanceId: "i", version: 1, variables: ["approvers": ["ann", "bob", "cy"]], now: t0)
        var history = t.history
        for task in t.tasks {
            t = try Engine.apply(.completeUserTask(taskId: task.id, variables: [:]), to: t.state, definition: d, now: t0)
            history += t.history
        }
        #expect(t.state.status == .completed)
        let body = history.filter { $0.elementType == "multiInstanceBody" }
        #expect(body.map(\.event) == ["activated", "completed"])
        #expect(body.allSatisfy { $0.elementId == "approve" && $0.elementInstanceId != nil })
        #expect(Set(body.map(\.elementInstanceId)).count == 1)
        let instances = history.filter { $0.elementType == "userTask" }
        #expect(instances.filter { $0.event == "activated" }.count == 3)
        #expect(instances.filter { $0.event == "completed" }.count == 3)
        let ids = Set(instances.compactMap(\.elementInstanceId))
        #expect(ids.count == 3)
        #expect(!ids.contains(body[0].elementInstanceId!))
        // each instance is activated and completed under its own id
        for id in ids { #expect(instances.filter { $0.elementInstanceId == id }.map(\.event) == ["activated", "completed"]) }
    }

    @Test func anInterruptedBodyIsTerminatedOnceAndItsWaitingInstancesEach() throws {
        let d = try definition("""
            id: p
            activities:
              - id: approve
                type: user
                multi_instance: {over: approvers, as: approver}
                timeout: {after: 1h, next: late}
              - {id: done, type: end}
              - {id: late, type: end}
            """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: ["approvers": ["ann", "bob"]], now: t0)
        let fired = try Engine.apply(.timerFired(timerId: t.timers[0].id), to: t.state, definition: d, now: t0 + 3600)
        let terminated = fired.history.filter { $0.event == "terminated" }
        #expect(terminated.filter { $0.elementType == "multiInstanceBody" }.count == 1)
        #expect(terminated.filter { $0.elementType == "userTask" }.count == 2)
        #expect(Set(terminated.filter { $0.elementType == "userTask" }.compactMap(\.elementInstanceId)).count == 2)
    }

    @Test func anEmptyCollectionActivatesAndCompletesTheBodyAlone() throws {
        let d = try definition(Self.approvals)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: ["approvers": []], now: t0)
        #expect(t.state.status == .completed)
        #expect(t.history.filter { $0.elementId == "approve" }.map { "\($0.elementType) \($0.event)" }
            == ["multiInstanceBody activated", "multiInstanceBody completed"])
    }

    /// The step limit's incident names the elements the instance went round.
    @Test func theStepLimitNamesTheLoop() throws {
        let d = try definition("""
            id: p
            activities:
              - {id: first, type: script, set: {x: 1}}
              - {id: a, type: script, set: {n: if n = null then 1 else n + 1}}
              - {id: b, type: script, set: {m: 1}}
              - {id: c, type: decision, condition: true, true_path: a, false_path: a}
            """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        let message = try #require(t.state.incidents.first?.message)
        #expect(message.contains("the process loops through a → b → c → a without a wait state"), "\(message)")
        #expect(message.contains("--max-steps"))
    }

    @Test func theShortestRepeatedCycleIsTheLoop() {
        #expect(RunawayLoop.cycle(in: ["x", "a", "b", "a", "b", "a", "b"], order: ["x", "a", "b"]) == ["a", "b"])
        #expect(RunawayLoop.cycle(in: ["b", "c", "a", "b", "c", "a"], order: ["a", "b", "c"]) == ["a", "b", "c"])
        #expect(RunawayLoop.cycle(in: ["a", "a", "a"], order: ["a"]) == ["a"])
        #expect(RunawayLoop.cycle(in: [], order: []) == [])
    }
}
