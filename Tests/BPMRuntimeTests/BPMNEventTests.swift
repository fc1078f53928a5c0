import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
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
        var sim = Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
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
