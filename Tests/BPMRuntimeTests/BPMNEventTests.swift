import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import BPMStore
import Foundation
import Testing

/// Escalation and link events, on small models written here.
@Suite struct BPMNEventTests {
    static func escalationModel(interrupting: Bool) -> String {
        """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
          <escalation id="esc" escalationCode="LATE"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub">
              <startEvent id="ss"/>
              <intermediateThrowEvent id="raise"><escalationEventDefinition escalationRef="esc"/></intermediateThrowEvent>
              <scriptTask id="afterRaise"><extensionElements><zeebe:script xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" expression="=true" resultVariable="continued"/></extensionElements></scriptTask>
              <endEvent id="se"/>
              <sequenceFlow id="a" sourceRef="ss" targetRef="raise"/>
              <sequenceFlow id="b" sourceRef="raise" targetRef="afterRaise"/>
              <sequenceFlow id="c" sourceRef="afterRaise" targetRef="se"/>
            </subProcess>
            <boundaryEvent id="caught" attachedToRef="sub" cancelActivity="\(interrupting)"><escalationEventDefinition escalationRef="esc"/></boundaryEvent>
            <endEvent id="e1"/>
            <endEvent id="e2"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
            <sequenceFlow id="f2" sourceRef="sub" targetRef="e1"/>
            <sequenceFlow id="f3" sourceRef="caught" targetRef="e2"/>
          </process>
        </definitions>
        """
    }

    func run(_ xml: String) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: xml, file: "m.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: [:])
        return sim
    }

    @Test func nonInterruptingEscalationLetsTheSubProcessContinue() async throws {
        let sim = try await run(Self.escalationModel(interrupting: false))
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["continued"] == true)
        #expect(sim.state?.variables["escalationCode"] == "LATE")
        #expect(Set(sim.path).isSuperset(of: ["caught", "e2", "afterRaise", "sub", "e1"]))
    }

    @Test func interruptingEscalationEndsTheSubProcess() async throws {
        let sim = try await run(Self.escalationModel(interrupting: true))
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["continued"] == nil)
        #expect(sim.path.contains("e2"))
        #expect(!sim.path.contains("e1"))
        #expect(sim.history.contains { $0.elementId == "sub" && $0.event == "terminated" })
    }

    @Test func uncaughtEscalationIsIgnored() async throws {
        let xml = Self.escalationModel(interrupting: true).replacingOccurrences(of: #"<boundaryEvent id="caught" attachedToRef="sub" cancelActivity="true"><escalationEventDefinition escalationRef="esc"/></boundaryEvent>"#, with: "")
            .replacingOccurrences(of: #"<sequenceFlow id="f3" sourceRef="caught" targetRef="e2"/>"#, with: "").replacingOccurrences(of: #"<endEvent id="e2"/>"#, with: "")
        let sim = try await run(xml)
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["continued"] == true)
    }

    @Test func linkEventsJumpWithinTheScope() async throws {
        let sim = try await run("""
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <intermediateThrowEvent id="go"><linkEventDefinition name="L1"/></intermediateThrowEvent>
            <intermediateCatchEvent id="land"><linkEventDefinition name="L1"/></intermediateCatchEvent>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="go"/>
            <sequenceFlow id="f2" sourceRef="land" targetRef="e"/>
          </process>
        </definitions>
        """)
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["s", "go", "land", "e"])
    }

    @Test func aLinkWithoutItsCatchIsRejected() {
        #expect(throws: DefinitionErrors.self) {
            try DefinitionLoader.parse(source: """
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
              <process id="p" isExecutable="true">
                <startEvent id="s"/>
                <intermediateThrowEvent id="go"><linkEventDefinition name="nowhere"/></intermediateThrowEvent>
                <sequenceFlow id="f1" sourceRef="s" targetRef="go"/>
              </process>
            </definitions>
            """, file: "m.bpmn")
        }
    }
}

/// Event sub-processes started by timers, messages and signals.
@Suite struct EventSubProcessTests {
    static func model(start: String, interrupting: Bool) -> String {
        """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <message id="m" name="cancelOrder"><extensionElements><zeebe:subscription correlationKey="=orderId"/></extensionElements></message>
          <signal id="sg" name="shutdown"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <userTask id="work"/>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
            <subProcess id="handler" triggeredByEvent="true">
              <startEvent id="hs" isInterrupting="\(interrupting)">\(start)</startEvent>
              <scriptTask id="handle"><extensionElements><zeebe:script expression="=true" resultVariable="handled"/></extensionElements></scriptTask>
              <endEvent id="he"/>
              <sequenceFlow id="h1" sourceRef="hs" targetRef="handle"/>
              <sequenceFlow id="h2" sourceRef="handle" targetRef="he"/>
            </subProcess>
          </process>
        </definitions>
        """
    }

    func sim(_ start: String, interrupting: Bool) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: Self.model(start: start, interrupting: interrupting), file: "esp.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["orderId": "o-1"])
        return sim
    }

    @Test func nonInterruptingTimerRunsBesideTheProcess() async throws {
        let s = try await sim("<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>", interrupting: false)
        await s.runTimers()
        #expect(s.state?.variables["handled"] == true)
        #expect(s.openTasks.count == 1, "the user task still waits")
        await s.completeTask(s.openTasks[0].id, variables: [:])
        #expect(s.statusWord == "completed")
    }

    @Test func interruptingMessageEndsTheRest() async throws {
        let s = try await sim(#"<messageEventDefinition messageRef="m"/>"#, interrupting: true)
        #expect(await s.publish(PublishedMessage(name: "cancelOrder", correlationKey: "o-1", variables: ["reason": "customer"])))
        #expect(s.statusWord == "completed")
        #expect(s.state?.variables["handled"] == true)
        #expect(s.state?.variables["reason"] == "customer")
        #expect(s.openTasks.isEmpty)
        #expect(s.history.contains { $0.elementId == "work" && $0.event == "terminated" })
    }

    @Test func timerDisarmedWhenTheProcessEndsFirst() async throws {
        let s = try await sim("<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>", interrupting: false)
        await s.completeTask(s.openTasks[0].id, variables: [:])
        #expect(s.statusWord == "completed")
        #expect(s.timers.isEmpty)
        #expect(s.subscriptions.isEmpty)
    }

    @Test func signalStartOnTheRuntime() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.model(start: #"<signalEventDefinition signalRef="sg"/>"#, interrupting: true), file: "esp.bpmn")
        let i = try await h.runtime.startInstance("p", variables: ["orderId": "o-9"])
        #expect(i.status == .running)
        #expect(try await h.runtime.broadcast(signal: "shutdown").correlated == 1)
        try await h.runtime.settle()
        let s = try await h.store.instance(i.id)
        #expect(s?.status == .completed)
        #expect(s?.variables["handled"] == true)
        #expect(try await h.store.userTasks(TaskQuery(instanceId: i.id)).isEmpty, "the user task was cancelled")
    }
}
