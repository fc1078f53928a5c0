import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Migration with mapping instructions (Zeebe's MigrateProcessInstance): the instance's tokens
/// and their boundary events move to the mapped element ids; kinds that differ are refused,
/// naming the element.
@Suite struct MigrationMappingTests {
    static func version(task: String, boundary: String, kind: String = "serviceTask") throws -> ProcessDefinition {
        let activity = kind == "serviceTask"
            ? zeebeServiceTask(task) : "<bpmn:\(kind) id=\"\(task)\"/>"
        return try zeebeModel("moving", """
            <bpmn:startEvent id="start"/>
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="\(task)"/>
            \(activity)
            <bpmn:boundaryEvent id="\(boundary)" attachedToRef="\(task)">
              <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
            </bpmn:boundaryEvent>
            <bpmn:sequenceFlow id="f2" sourceRef="\(boundary)" targetRef="late"/>
            <bpmn:endEvent id="late"/>
            <bpmn:sequenceFlow id="f3" sourceRef="\(task)" targetRef="end"/>
            <bpmn:endEvent id="end"/>
            """)
    }

    @Test func tokensAndBoundaryEventsMoveToTheMappedIds() throws {
        let v1 = try Self.version(task: "a", boundary: "t1")
        let v2 = try Self.version(task: "a2", boundary: "t2")
        let s = Engine.start(v1, instanceId: "i", version: 1, variables: [:], now: t0)
        let job = try #require(s.jobs.first)
        let t = try Engine.migrate(s.state, from: v1, to: v2, version: 2, mappings: ["a": "a2", "t1": "t2"], now: t0)
        #expect(t.state.definitionVersion == 2)
        #expect(t.state.tokens.map(\.elementId) == ["a2"])
        #expect(t.state.tokens[0].boundaryTimers.map(\.boundaryElementId) == ["t2"])
        #expect(t.history.last?.event == "migrated")
        // the job goes on as the mapped task's, and its boundary event is the target's
        let done = try Engine.apply(.jobCompleted(jobId: job.id, output: [:]), to: t.state, definition: v2, now: t0)
        #expect(done.state.status == .completed)
        #expect(done.history.contains { $0.elementId == "a2" && $0.event == "completed" })
        let timer = try #require(s.timers.first)
        let fired = try Engine.apply(.timerFired(timerId: timer.id), to: t.state, definition: v2, now: t0)
        #expect(fired.history.contains { $0.elementId == "t2" })
    }

    @Test func anUnmappedOrDifferentKindIsRefusedNamingTheElement() throws {
        let v1 = try Self.version(task: "a", boundary: "t1")
        let v2 = try Self.version(task: "a2", boundary: "t2")
        let v3 = try Self.version(task: "a2", boundary: "t2", kind: "userTask")
        let s = Engine.start(v1, instanceId: "i", version: 1, variables: [:], now: t0).state
        #expect { _ = try Engine.migrate(s, from: v1, to: v2, version: 2, mappings: ["a": "a2"], now: t0) } throws: {
            "\($0)".contains("the boundary event 't1' does not exist in version 2")
        }
        #expect {
            _ = try Engine.migrate(s, from: v1, to: v3, version: 3, mappings: ["a": "a2", "t1": "t2"], now: t0)
        } throws: {
            "\($0)".contains("'a' (mapped to 'a2') is a serviceTask in version 1 but a userTask")
        }
        #expect { _ = try Engine.migrate(s, from: v1, to: v2, version: 2, mappings: ["a": "zz"], now: t0) } throws: {
            "\($0)".contains("the mapping's target 'zz' does not exist in version 2")
        }
    }
}
