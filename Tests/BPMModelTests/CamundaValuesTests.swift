import BPMExpressions
import BPMModel
import Foundation
import Testing

/// `zeebe:` attribute values read as Camunda 8 reads them (FEEL only with a leading `=`),
/// Camunda 7 models, and the problems Zeebe deploys anyway.
@Suite struct CamundaValuesTests {
    func read(_ body: String, extraNS: String = "") throws(DefinitionErrors) -> [ProcessDefinition] {
        try BPMNDefinitionReader.read(source: bpmn(body, extraNS: extraNS), file: "m.bpmn")
    }

    func refusal(_ body: String, extraNS: String = "") -> [String] {
        do {
            _ = try read(body, extraNS: extraNS)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static func serviceTask(_ ext: String, attributes: String = "") -> String {
        """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          <b:serviceTask id="t" \(attributes)><b:extensionElements>\(ext)</b:extensionElements></b:serviceTask>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
        </b:process>
        """
    }

    @Test func connectorTemplateModelsKeepStaticInputsAsStrings() throws {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/camunda8/rest-connector.bpmn").path
        let d = try BPMNDefinitionReader.read(source: String(contentsOfFile: path, encoding: .utf8), file: path)[0]
        guard case .serviceTask(let t) = d.element("fetchWeather")?.kind else {
            Issue.record("not a service task")
            return
        }
        #expect(t.action == "io.camunda:http-json:1")
        #expect(t.retry.retries == 2)
        let payload = TemplateValue.context(t.parameters).render(["city": "Oslo"])
        #expect(payload[member: "url"] == "https://api.example.com/v1/weather?units=metric")
        #expect(payload[member: "method"] == "GET")
        #expect(payload[member: "connectionTimeoutInSeconds"] == "20", "a static value is a string, as in Zeebe")
        #expect(payload[member: "authentication"] == ["type": "bearer", "token": "{{secrets.WEATHER_TOKEN}}"],
                "dotted targets nest; the secret placeholder is kept for the connector to substitute")
        #expect(payload[member: "queryParameters"] == ["q": "Oslo"], "'=city' is FEEL")
        guard case .userTask(let u) = d.element("review")?.kind else { Issue.record("not a user task"); return }
        #expect(u.assignee?.render([:]) == "demo")
        #expect(u.candidateGroups == ["operators", "planners"])
        #expect(u.priority == 80)
    }

    @Test func constantExpressionsAndStaticMappingsOfTheAgentModel() throws {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/camunda8/agent-prompt.bpmn").path
        let defs = try BPMNDefinitionReader.read(source: String(contentsOfFile: path, encoding: .utf8), file: path)
        let d = try #require(defs.first { $0.id == "support-agent" })
        guard case .serviceTask(let t) = d.element("askModel")?.kind else { Issue.record("not a service task"); return }
        #expect(t.action == "io.camunda.agenticai:aiagent:1", "a constant FEEL job type is evaluated at deploy")
        #expect(t.retry.retries == 1)
        let payload = TemplateValue.context(t.parameters).render(["ticketId": "T-7"])
        #expect(payload[member: "systemPrompt"]
            == #"You are a helpful support agent. Answer in one paragraph: "be kind"."#)
        #expect(payload[member: "userPrompt"] == "Ticket T-7")
        #expect(payload[member: "provider"][member: "openai"][member: "authentication"][member: "apiKey"]
            == "{{secrets.OPENAI_API_KEY}}")
        guard case .callActivity(let call) = d.element("archive")?.kind else {
            Issue.record("not a call activity")
            return
        }
        #expect(call.processId == "archive-ticket")
        #expect(call.inputs.first?.source.evaluate([:]) == "support")
        // Zeebe deploys a start event without outgoing flows: a warning, not a refusal
        #expect(d.warnings.map(\.description) == [
            "\(path):11:5: warning: start event 'draftStart' has no outgoing flow: its instances end at once",
        ])
    }

    @Test func unreachableElementsAreWarnings() throws {
        let d = try read("""
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          <b:task id="orphan"/><b:endEvent id="e2"/>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="e"/>
          <b:sequenceFlow id="g" sourceRef="orphan" targetRef="e2"/>
        </b:process>
        """)[0]
        #expect(d.warnings.map(\.description) == [
            "m.bpmn:5:3: warning: 'orphan' is unreachable: no path from the start leads to it",
            "m.bpmn:5:27: warning: 'e2' is unreachable: no path from the start leads to it",
        ])
    }

    @Test func attributesCamundaRequiresAsExpressionsRefuseStaticValues() {
        let output = Self.serviceTask(#"""
        <zeebe:taskDefinition type="w"/><zeebe:ioMapping><zeebe:output source="result" target="r"/></zeebe:ioMapping>
        """#)
        #expect(refusal(output) == [
            "m.bpmn:5:102: error: output mapping 'r' must be a FEEL expression starting with '=' "
                + "(Camunda 8 refuses the static value 'result')",
        ])
        let script = """
        <b:process id="p" isExecutable="true"><b:startEvent id="s"/>
          <b:scriptTask id="t"><b:extensionElements>
            <zeebe:script expression="1 + 1" resultVariable="x"/>
          </b:extensionElements></b:scriptTask>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="t"/></b:process>
        """
        #expect(refusal(script).first?.contains(
            "script expression of 't' must be a FEEL expression starting with '='") == true)
    }

    @Test func deployTimeValuesThatDependOnVariablesAreRefusedByName() {
        let type = Self.serviceTask(#"<zeebe:taskDefinition type="=jobType"/>"#)
        #expect(refusal(type) == [
            "m.bpmn:5:53: error: job type of 't' '=jobType' depends on variables; "
                + "a dynamic job type of 't' is not supported yet (write a static value)",
        ])
        let retries = Self.serviceTask(#"<zeebe:taskDefinition type="w" retries="three"/>"#)
        #expect(refusal(retries) == ["m.bpmn:5:53: error: retries of 't' 'three' is not a whole number"])
    }

    @Test func camunda7ExternalTasksBecomeJobsOfTheirTopic() throws {
        let ns = #"xmlns:camunda="http://camunda.org/schema/1.0/bpmn""#
        let external = Self.serviceTask("", attributes: #"camunda:type="external" camunda:topic="charge-card""#)
        let d = try read(external, extraNS: ns)[0]
        guard case .serviceTask(let t) = d.element("t")?.kind else { Issue.record("not a service task"); return }
        #expect(t.action == "charge-card")
        #expect(t.external)
        #expect(refusal(Self.serviceTask("", attributes: #"camunda:class="com.acme.Charge""#), extraNS: ns) == [
            "m.bpmn:5:3: error: service task 't' is implemented by a Java delegate (camunda:class), "
                + "which needs Camunda 7's Java engine: use an external task "
                + "(camunda:type=\"external\" camunda:topic=\"…\") or zeebe:taskDefinition",
        ])
    }

    @Test func camunda7UserTaskAssignmentsAndExtensions() throws {
        let ns = #"xmlns:camunda="http://camunda.org/schema/1.0/bpmn""#
        func task(_ attributes: String, _ ext: String = "") -> String {
            """
            <b:process id="p" isExecutable="true">
              <b:startEvent id="s"/>
              <b:userTask id="t" \(attributes)><b:extensionElements>\(ext)</b:extensionElements></b:userTask>
              <b:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
            </b:process>
            """
        }
        let d = try read(task(#"camunda:assignee="demo" camunda:candidateGroups="sales, management""#), extraNS: ns)[0]
        guard case .userTask(let u) = d.element("t")?.kind else { Issue.record("not a user task"); return }
        #expect(u.assignee?.render([:]) == "demo")
        #expect(u.candidateGroups == ["sales", "management"])
        #expect(refusal(task(#"camunda:assignee="${initiator}""#), extraNS: ns) == [
            "m.bpmn:5:3: error: camunda:assignee of 't' is written in JUEL ('${initiator}'), which this engine "
                + "does not run: write a static value, or zeebe:assignmentDefinition with FEEL (`=…`)",
        ])
        let listener = #"<camunda:taskListener class="com.acme.Notify" event="create"/>"#
        #expect(refusal(task("", listener), extraNS: ns) == [
            "m.bpmn:5:50: error: camunda:taskListener on 't': Camunda 7 task listeners are not supported",
        ])
    }

    @Test(arguments: [
        (#"<b:conditionExpression>${amount > 100}</b:conditionExpression>"#, "JUEL (Camunda 7's Java EL)"),
        (#"<b:conditionExpression>#{approved}</b:conditionExpression>"#, "JUEL (Camunda 7's Java EL)"),
        (#"<b:conditionExpression language="javascript">amount &gt; 100</b:conditionExpression>"#, "JavaScript"),
        (#"<b:conditionExpression language="groovy">amount &gt; 100</b:conditionExpression>"#, "Groovy"),
        (#"<b:conditionExpression language="python">amount &gt; 100</b:conditionExpression>"#, "Python"),
    ])
    func foreignExpressionLanguagesAreRefusedByName(condition: String, language: String) {
        let src = """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="e">\(condition)</b:sequenceFlow>
        </b:process>
        """
        #expect(refusal(src) == [
            "m.bpmn:5:57: error: condition of sequence flow 'f' is written in \(language), "
                + "which this engine does not run: write it in FEEL (`= …`)",
        ])
    }
}
