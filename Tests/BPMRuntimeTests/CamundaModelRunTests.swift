import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Models written the way Camunda 8's connector templates and Camunda 7 write them deploy and
/// run on the production runtime (a temporary store, a simulated clock, a connector sandbox).
@Suite struct CamundaModelRunTests {
    static func fixture(_ name: String) throws -> (source: String, file: String) {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/camunda8/\(name).bpmn").path
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }

    @Test func restConnectorTemplateModelSendsItsStaticInputs() async throws {
        let sim = try await Simulation(files: [Self.fixture("rest-connector")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["city": "Oslo"])
        #expect(sim.statusWord == "waiting")
        let call = try #require(sim.effects.first)
        #expect(call.action == "io.camunda:http-json:1")
        #expect(call.payload[member: "url"] == "https://api.example.com/v1/weather?units=metric")
        #expect(call.payload[member: "authentication"] == ["type": "bearer", "token": "{{secrets.WEATHER_TOKEN}}"])
        #expect(call.payload[member: "queryParameters"] == ["q": "Oslo"])
        let task = try #require(sim.openTasks.first)
        #expect(task.assignee == "demo")
        await sim.completeTask(task.id, variables: [:])
        #expect(sim.statusWord == "completed")
    }

    @Test func agentModelRunsWithItsPromptMessageAndCalledProcess() async throws {
        let sim = try await Simulation(files: [Self.fixture("agent-prompt")], process: "support-agent",
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["ticketId": "T-7"])
        #expect(sim.effects.map(\.action) == ["io.camunda.agenticai:aiagent:1"])
        #expect(sim.effects.first?.payload[member: "userPrompt"] == "Ticket T-7")
        #expect(sim.statusWord == "waiting")
        #expect(await sim.publish(PublishedMessage(name: "customer-reply", correlationKey: "T-7")))
        #expect(sim.statusWord == "completed")
        let child = try #require(sim.instances.first { $0.definitionId == "archive-ticket" })
        #expect(child.variables["archived"] == "archived in support",
                "the static input 'support' reached the called process")
    }

    /// Events that name shared, top-level event definitions (`eventDefinitionRef`) wait and fire
    /// as if the definitions were written inline: a message (correlated by its key), then a timer.
    @Test func sharedEventDefinitionsRunAsInlineOnes() async throws {
        let xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <message id="m" name="paid">
            <extensionElements><zeebe:subscription correlationKey="=orderId"/></extensionElements>
          </message>
          <messageEventDefinition id="onPaid" messageRef="m"/>
          <timerEventDefinition id="tenMinutes"><timeDuration>PT10M</timeDuration></timerEventDefinition>
          <process id="order" isExecutable="true">
            <startEvent id="s"/>
            <intermediateCatchEvent id="waitPaid">
              <eventDefinitionRef>onPaid</eventDefinitionRef></intermediateCatchEvent>
            <intermediateCatchEvent id="cool">
              <eventDefinitionRef>tenMinutes</eventDefinitionRef></intermediateCatchEvent>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="waitPaid"/>
            <sequenceFlow id="f2" sourceRef="waitPaid" targetRef="cool"/>
            <sequenceFlow id="f3" sourceRef="cool" targetRef="e"/>
          </process>
        </definitions>
        """
        let sim = try await Simulation(files: [(xml, "order.bpmn")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["orderId": "o-1"])
        #expect(sim.subscriptions.map { [$0.name, $0.correlationKey] } == [["paid", "o-1"]])
        #expect(await sim.publish(PublishedMessage(name: "paid", correlationKey: "o-1")))
        #expect(sim.statusWord == "waiting", "now on the shared timer")
        await sim.runTimers()
        #expect(sim.statusWord == "completed", "the shared timer fired on the simulated clock")
        #expect(sim.now == simStart.addingTimeInterval(600))
    }

    /// Zeebe's input mappings on a sub-process are local variables of its scope: visible inside
    /// and to its output mappings, gone after it.
    @Test func subProcessInputMappingsAreLocalsOfItsScope() async throws {
        let xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub">
              <extensionElements><zeebe:ioMapping>
                <zeebe:input source="EUR" target="currency"/>
                <zeebe:input source="=amount * 2" target="doubled"/>
                <zeebe:output source="=label" target="summary"/>
              </zeebe:ioMapping></extensionElements>
              <startEvent id="ss"/>
              <scriptTask id="fmt"><extensionElements>
                <zeebe:script expression="=string(doubled) + &quot; &quot; + currency" resultVariable="label"/>
              </extensionElements></scriptTask>
              <endEvent id="se"/>
              <sequenceFlow id="a" sourceRef="ss" targetRef="fmt"/><sequenceFlow id="b" sourceRef="fmt" targetRef="se"/>
            </subProcess>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="sub"/><sequenceFlow id="f2" sourceRef="sub" targetRef="e"/>
          </process>
        </definitions>
        """
        let sim = try await Simulation(files: [(xml, "sub.bpmn")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["amount": 21])
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["summary"] == "42 EUR", "the output mapping saw the scope's locals")
        #expect(sim.state?.variables["currency"] == nil, "input mappings stay local to the sub-process")
        #expect(sim.state?.variables["doubled"] == nil)
    }

    /// Zeebe's input mappings on a user task are its local variables: its assignment sees them,
    /// its output mappings see them and the completion's variables, and nothing else leaves it.
    @Test func userTaskInputMappingsAreLocalsOfTheTask() async throws {
        let xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <userTask id="approve">
              <extensionElements>
                <zeebe:assignmentDefinition assignee="=reviewer"/>
                <zeebe:ioMapping>
                  <zeebe:input source="=owner + &quot;-lead&quot;" target="reviewer"/>
                  <zeebe:output source="=approved and reviewer = &quot;ann-lead&quot;" target="signedOff"/>
                </zeebe:ioMapping>
              </extensionElements>
            </userTask>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="approve"/>
            <sequenceFlow id="f2" sourceRef="approve" targetRef="e"/>
          </process>
        </definitions>
        """
        let sim = try await Simulation(files: [(xml, "approve.bpmn")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["owner": "ann"])
        let task = try #require(sim.openTasks.first)
        #expect(task.assignee == "ann-lead", "the assignment saw the task's input")
        await sim.completeTask(task.id, variables: ["approved": true])
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["signedOff"] == true)
        #expect(sim.state?.variables["reviewer"] == nil, "the input stayed local to the task")
        #expect(sim.state?.variables["approved"] == nil, "with output mappings only the mapped values leave the task")
    }

    @Test func camunda7ExternalTaskIsAJobOfItsTopic() async throws {
        let xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
          <process id="invoice" isExecutable="true">
            <startEvent id="s"/>
            <serviceTask id="charge" camunda:type="external" camunda:topic="charge-card"/>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="charge"/>
              <sequenceFlow id="f2" sourceRef="charge" targetRef="e"/>
          </process>
        </definitions>
        """
        let sim = try await Simulation(files: [(xml, "invoice.bpmn")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["amount": 12])
        #expect(sim.effects.map(\.action) == ["charge-card"])
        #expect(sim.statusWord == "completed")
    }
}
