import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Process instance modification (Zeebe's ModifyProcessInstance) and start instructions on the
/// pure core: activating creates missing flow scopes and enters the element (its job, its
/// scope's boundary events); terminating cancels what the element instance waits for and
/// terminates scopes left empty, up to the instance.
@Suite struct ModificationTests {
    static let body = """
        <bpmn:startEvent id="start"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
        \(zeebeServiceTask("a"))
        <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="wait"/>
        <bpmn:intermediateCatchEvent id="wait">
          <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="sub"/>
        <bpmn:subProcess id="sub">
          <bpmn:startEvent id="subStart"/>
          <bpmn:sequenceFlow id="f4" sourceRef="subStart" targetRef="b"/>
          \(zeebeServiceTask("b"))
          <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="subEnd"/>
          <bpmn:endEvent id="subEnd"/>
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="late" attachedToRef="sub">
          <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f6" sourceRef="late" targetRef="lateEnd"/>
        <bpmn:endEvent id="lateEnd"/>
        <bpmn:sequenceFlow id="f7" sourceRef="sub" targetRef="each"/>
        <bpmn:subProcess id="each">
          <bpmn:multiInstanceLoopCharacteristics>
            <bpmn:extensionElements>
              <zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item"/>
            </bpmn:extensionElements>
          </bpmn:multiInstanceLoopCharacteristics>
          <bpmn:startEvent id="eachStart"/>
          <bpmn:sequenceFlow id="f8" sourceRef="eachStart" targetRef="d"/>
          \(zeebeServiceTask("d"))
        </bpmn:subProcess>
        <bpmn:sequenceFlow id="f9" sourceRef="each" targetRef="end"/>
        <bpmn:endEvent id="end"/>
        """

    static func model() throws -> ProcessDefinition { try zeebeModel("repair", body) }

    /// An instance past task `a`, waiting at the timer `wait`.
    static func waiting(_ def: ProcessDefinition) throws -> InstanceState {
        let s = Engine.start(def, instanceId: "i", version: 1, variables: [:], now: t0)
        let job = try #require(s.jobs.first)
        return try Engine.apply(.jobCompleted(jobId: job.id, output: [:]), to: s.state, definition: def, now: t0).state
    }

    @Test func movingATokenIntoASubProcessCreatesItsScopeAndArmsItsBoundary() throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        let timer = try #require(s.tokens.first { $0.elementId == "wait" })
        let m = Modification(activate: [
            Modification.Activation(elementId: "b", variables: [
                Modification.ScopedValues(scopeId: "sub", variables: ["x": 1]),
                Modification.ScopedValues(variables: ["g": 2]),
            ]),
        ], terminate: [timer.id])
        let t = try Engine.apply(.modify(m), to: s, definition: def, now: t0)
        #expect(t.state.status == .running)
        let sub = try #require(t.state.tokens.first { $0.elementId == "sub" })
        #expect(sub.wait == .subProcess && sub.boundaryTimers.map(\.boundaryElementId) == ["late"])
        #expect(t.jobs.map(\.elementId) == ["b"])
        #expect(t.state.tokens.first { $0.elementId == "b" }?.scope == sub.id)
        #expect(t.cancelledTimers.contains { id in s.tokens.contains { $0.wait == .timer(timerId: id) } })
        #expect(t.timers.map(\.elementId) == ["late"])
        #expect(t.state.locals[sub.id] == ["x": 1] && t.state.variables["g"] == 2)
        #expect(t.history.contains { $0.elementId == "wait" && $0.event == "terminated" })
        #expect(t.history.contains { $0.event == "modified" && $0.elementType == "process" })
        // the sub-process then completes as usual and the instance goes on
        let completed = Command.jobCompleted(jobId: t.jobs[0].id, output: [:])
        let done = try Engine.apply(completed, to: t.state, definition: def, now: t0)
        #expect(done.state.tokens.filter { $0.elementId == "d" }.count == 2)
    }

    @Test func terminatingTheLastElementInstanceTerminatesItsScopesAndTheInstance() throws {
        let def = try Self.model()
        let started = try Engine.start(def, instanceId: "i", version: 1, variables: [:], at: ["b"], now: t0)
        #expect(started.jobs.map(\.elementId) == ["b"], "start instructions: the instance starts at b")
        #expect(!started.history.contains { $0.elementId == "start" })
        let job = try #require(started.jobs.first)
        let terminate = Command.modify(Modification(terminate: [job.id]))
        let t = try Engine.apply(terminate, to: started.state, definition: def, now: t0)
        #expect(t.state.status == .terminated)
        #expect(t.state.tokens.isEmpty)
        #expect(t.effects.contains(.cancelJob(id: job.id)))
        #expect(t.cancelledTimers == started.timers.map(\.id), "the sub-process's boundary timer is cancelled")
        let terminated = t.history.filter { $0.event == "terminated" }.map(\.elementId)
        #expect(terminated == ["b", "sub", "repair"])
    }

    @Test func terminatingOneOfTwoPathsLeavesTheOther() throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        let m = Modification(activate: [Modification.Activation(elementId: "a")])
        let two = try Engine.apply(.modify(m), to: s, definition: def, now: t0)
        let job = try #require(two.jobs.first)
        let t = try Engine.apply(.modify(Modification(terminate: [job.id])), to: two.state, definition: def, now: t0)
        #expect(t.state.status == .running && t.state.tokens.map(\.elementId) == ["wait"])
    }

    @Test(arguments: [
        ("nope", "no element 'nope'"),
        ("d", "inside the multi-instance 'each'"),
        ("subStart", "it starts the sub-process 'sub'"),
        ("late", "a boundary event is entered by its trigger"),
    ])
    func activationsItCannotDoAreRefused(_ element: String, _ why: String) throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        let m = Modification(activate: [Modification.Activation(elementId: element)])
        #expect {
            _ = try Engine.apply(.modify(m), to: s, definition: def, now: t0)
        } throws: { e in
            "\(e)".contains(why)
        }
        #expect(throws: CommandRejection.self) {
            _ = try Engine.start(def, instanceId: "j", version: 1, variables: [:], at: [element], now: t0)
        }
    }

    @Test func terminatingAnUnknownElementInstanceOrASuspendedInstanceIsRefused() throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        #expect(throws: CommandRejection.invalid("instance i has no active element instance 'k99'")) {
            _ = try Engine.apply(.modify(Modification(terminate: ["k99"])), to: s, definition: def, now: t0)
        }
        let suspended = try Engine.apply(.suspend, to: s, definition: def, now: t0).state
        #expect(throws: CommandRejection.self) {
            _ = try Engine.apply(.modify(Modification(terminate: ["wait"])), to: suspended, definition: def, now: t0)
        }
    }

    @Test func anElementIdWithOneTokenNamesThatElementInstance() throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        let m = Modification(activate: [Modification.Activation(elementId: "end")], terminate: ["wait"])
        let t = try Engine.apply(.modify(m), to: s, definition: def, now: t0)
        #expect(t.state.status == .completed, "the end event activated ends the instance once the timer is gone")
    }

    @Test func anAncestorPicksTheScopeWhenSeveralAreActive() throws {
        let def = try Self.model()
        let s = try Self.waiting(def)
        let twice = Modification(activate: [Modification.Activation(elementId: "sub"), .init(elementId: "sub")])
        let two = try Engine.apply(.modify(twice), to: s, definition: def, now: t0).state
        let subs = two.tokens.filter { $0.elementId == "sub" }
        #expect(subs.count == 2)
        let ambiguous = Modification(activate: [Modification.Activation(elementId: "b")])
        #expect { _ = try Engine.apply(.modify(ambiguous), to: two, definition: def, now: t0) } throws: {
            "\($0)".contains("'sub' has 2 active instances")
        }
        let scoped = Modification(activate: [Modification.Activation(elementId: "b", ancestor: subs[1].id)])
        let t = try Engine.apply(.modify(scoped), to: two, definition: def, now: t0)
        #expect(t.state.tokens.filter { $0.elementId == "b" && $0.scope == subs[1].id }.count == 2)
        let nowhere = Modification.ScopedValues(scopeId: "nope", variables: [:])
        let stray = Modification(activate: [Modification.Activation(elementId: "b", ancestor: subs[0].id,
                                                                    variables: [nowhere])])
        #expect { _ = try Engine.apply(.modify(stray), to: two, definition: def, now: t0) } throws: {
            "\($0)".contains("variables for 'nope'")
        }
    }
}
