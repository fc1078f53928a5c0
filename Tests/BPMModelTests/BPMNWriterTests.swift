import BPMExpressions
import Foundation
import Testing

@testable import BPMModel

/// The BPMN writer on its own: escaping, how values and templates become Zeebe's notation,
/// diagram interchange for every node and flow, and the refusals. (The round trip of the
/// examples, run against both files, is `BPMNExportRoundTripTests`.)
@Suite struct BPMNWriterTests {
    static let yaml = """
    id: writer-test
    name: Writer <test> & "quotes"
    version: 2.1
    trigger:
      type: event
      source: mqtt
      topic: plant/+/telemetry
      condition: fields.t > 1
    variables:
      - name: device_id
        source: tags.device_id
      - name: limit
        value: 30
    timeout: {after: 2h, then: terminate}
    activities:
      - id: check
        type: decision
        name: "Too hot?\\nsecond line"
        condition: t > limit and note != "a<b&c"
        true_path: publish
        false_path: done
      - id: publish
        type: service
        action: mqtt_publish
        topic: home/${device_id}/cmd
        lone: ${device_id}
        channel: email
        looks_like_feel: "=not an expression"
        qos: 1
        payload: {cmd: cool, at: "${t} °C", list: [1, "${device_id}"]}
        retries: 2
        backoff: {initial: 2s, multiplier: 3, max: 1m}
        result_variable: published
        timeout: {after: 10m, next: done}
      - id: fan_out
        type: script
        set:
          a: 1
          b: a + 1
      - id: approve
        type: user
        assignee: ${owner}
        candidate_groups: [ops, night-shift]
        priority: 70
        due: 2d
        description: "Check ${device_id}"
        form: {type: object, required: [ok]}
        multi_instance: {over: reviewers, as: reviewer, until: ok = true}
        compensate_with: {type: script, set: {undone: true}}
      - id: wait_ack
        type: receive
        message: ack
        correlation_key: device_id
        topic: acks
        source: kafka
        key_path: tags.device_id
        ttl: 5m
      - id: rules
        type: rules
        decision: limits
        result_variable: verdict
      - id: pause
        type: timer
        duration: 90m
      - id: undo
        type: compensate
        activity: approve
      - id: failed
        type: end
        error: {code: too_hot, message: "Device ${device_id} too hot"}
      - id: done
        type: end
        result: {outcome: cooled, device: "${device_id}"}
    """

    static func export(_ source: String = yaml) throws -> String {
        try BPMNWriter.export(yaml: source, file: "w.yaml")
    }

    static func readBack(_ xml: String) throws -> ProcessDefinition {
        try #require(try BPMNDefinitionReader.read(source: xml, file: "w.bpmn").first)
    }

    @Test func namespacesAreTheOnesCamundaModelerWrites() throws {
        let xml = try Self.export()
        for ns in ["xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"",
                   "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\"",
                   "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\"",
                   "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\"",
                   "xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\"",
                   "xmlns:modeler=\"http://camunda.org/schema/modeler/1.0\"",
                   "modeler:executionPlatform=\"Camunda Cloud\"", "modeler:executionPlatformVersion=\"8.6.0\""] {
            #expect(xml.contains(ns), "\(ns)")
        }
    }

    @Test func textIsEscapedAndComesBackAsWritten() throws {
        let xml = try Self.export()
        #expect(xml.contains("name=\"Writer &lt;test&gt; &amp; &quot;quotes&quot;\""))
        #expect(xml.contains("name=\"Too hot?&#10;second line\""))
        #expect(xml.contains("note != &quot;a&lt;b&amp;c&quot;"))
        let def = try Self.readBack(xml)
        #expect(def.name == "Writer <test> & \"quotes\"")
        #expect(def.element("check")?.name == "Too hot?\nsecond line")
        let cond = def.outgoing("check").compactMap(\.condition).first
        #expect(cond?.source == "t > limit and note != \"a<b&c\"")
    }

    @Test func parametersAreZeebeInputsInFEELOrStatic() throws {
        let xml = try Self.export()
        #expect(xml.contains("<zeebe:input source=\"=&quot;home/&quot; + (if (device_id) = null then &quot;null&quot; "
            + "else string(device_id)) + &quot;/cmd&quot;\" "
            + "target=\"topic\" />"))
        #expect(xml.contains("<zeebe:input source=\"=device_id\" target=\"lone\" />"))
        #expect(xml.contains("<zeebe:input source=\"email\" target=\"channel\" />"))
        #expect(xml.contains("<zeebe:input source=\"=&quot;=not an expression&quot;\" target=\"looks_like_feel\" />"))
        #expect(xml.contains("<zeebe:input source=\"=1\" target=\"qos\" />"))
        #expect(xml.contains("<zeebe:taskDefinition type=\"mqtt_publish\" retries=\"3\" />"), "retries count attempts")
        let def = try Self.readBack(xml)
        guard case .serviceTask(let t)? = def.element("publish")?.kind else {
            Issue.record("not a service task")
            return
        }
        let vars: [String: Value] = ["device_id": "hp1", "t": 31.5]
        let payload = TemplateValue.context(t.parameters).render(vars)
        #expect(payload.lookup(components: ["topic"]) == "home/hp1/cmd")
        #expect(payload.lookup(components: ["lone"]) == "hp1")
        #expect(payload.lookup(components: ["channel"]) == "email")
        #expect(payload.lookup(components: ["looks_like_feel"]) == "=not an expression")
        #expect(payload.lookup(components: ["qos"]) == 1)
        #expect(payload.lookup(components: ["payload"]) == ["cmd": "cool", "at": "31.5 °C", "list": [1, "hp1"]])
        // a placeholder whose value is null is spelled `null`, as the template spells it
        let unset = TemplateValue.context(t.parameters).render(["t": 1])
        #expect(unset.lookup(components: ["topic"]) == "home/null/cmd")
        #expect(unset.lookup(components: ["lone"]) == .null)
        #expect(t.retry == RetryPolicy(retries: 2, initial: 2, multiplier: 3, maximum: 60))
        #expect(t.resultVariable == "published" && !t.external && !t.includeVariables)
    }

    @Test func whatBPMNHasNoFormForComesBackFromTheBpmExtensions() throws {
        let def = try Self.readBack(try Self.export())
        #expect(def.versionLabel == "2.1")
        #expect(def.trigger?.source == "mqtt" && def.trigger?.topic == "plant/+/telemetry")
        #expect(def.trigger?.condition?.source == "fields.t > 1")
        #expect(def.variables.map(\.name) == ["device_id", "limit"])
        #expect(def.correlationKey?.source == "device_id")
        #expect(def.timeout == ProcessTimeout(after: 7200, action: .terminate))
        guard case .scriptTask(let s)? = def.element("fan_out")?.kind else { Issue.record("fan_out"); return }
        #expect(s.assignments.map(\.variable) == ["a", "b"])
        guard case .userTask(let u)? = def.element("approve")?.kind else { Issue.record("approve"); return }
        #expect(u.description?.source == "Check ${device_id}")
        #expect(u.form == ["type": "object", "required": ["ok"]])
        #expect(u.candidateGroups == ["ops", "night-shift"] && u.priority == 70)
        guard case .multiInstance(let mi)? = def.element("approve")?.loop else {
            Issue.record("multi-instance")
            return
        }
        #expect(mi.collection?.source == "reviewers" && mi.elementVariable == "reviewer")
        #expect(mi.completionCondition?.source == "ok = true")
        #expect(def.element("approve_compensation")?.isForCompensation == true)
        guard case .messageCatchEvent(let m)? = def.element("wait_ack")?.kind else { Issue.record("wait_ack"); return }
        #expect(m.name == "ack" && m.correlationKey?.source == "device_id")
        #expect(m.topic == "acks" && m.source == "kafka" && m.keyPath == "tags.device_id" && m.timeToLive == 300)
        #expect(def.element("wait_ack")?.typeName == "receiveTask")
        #expect(def.element("rules")?.typeName == "businessRuleTask")
        guard case .timerCatchEvent(let timer)? = def.element("pause")?.kind else { Issue.record("pause"); return }
        #expect(timer.seconds == 5400 && timer.text == "PT1H30M")
        guard case .endEvent(let failed)? = def.element("failed")?.kind else { Issue.record("failed"); return }
        #expect(failed.error?.code == "too_hot" && failed.error?.message?.source == "Device ${device_id} too hot")
        guard case .endEvent(let done)? = def.element("done")?.kind else { Issue.record("done"); return }
        let result = TemplateValue.context(done.result ?? [:]).render(["device_id": "hp1"])
        #expect(result == ["outcome": "cooled", "device": "hp1"])
    }

    @Test func everyNodeHasAShapeAndEveryFlowAnEdgeAtTheSVGLayout() throws {
        let yamlDef = try YAMLDefinitionReader.read(source: Self.yaml, file: "w.yaml")
        let xml = try Self.export()
        let def = try Self.readBack(xml)
        let layout = DiagramLayout.layout(yamlDef)
        let diagram = try #require(def.diagram)
        #expect(def.elements.count == yamlDef.elements.count)
        for e in def.elements {
            #expect(diagram.shapes[e.id] == layout.shapes[e.id], "shape of \(e.id)")
            #expect(BPMNWriterExpressions.isNCName(e.id))
        }
        #expect(def.flows.count == yamlDef.flows.count)
        for (y, b) in zip(yamlDef.flows, def.flows) {
            #expect(diagram.edges[b.id] == layout.edges[y.id], "edge of \(y.id)")
            #expect(BPMNWriterExpressions.isNCName(b.id), "\(b.id)")
            #expect((b.source, b.target, b.label) == (y.source, y.target, y.label))
        }
        #expect(xml.contains("<bpmndi:BPMNShape id=\"check_di\" bpmnElement=\"check\" isMarkerVisible=\"true\">"))
        #expect(xml.components(separatedBy: "<bpmndi:BPMNLabel>").count > 3,
                "labels of named events, gateways and flows")
    }

    @Test func aTimerWithMultiInstanceIsRefusedNamingTheActivity() throws {
        let source = """
        id: mi-timer
        activities:
          - id: wait
            type: timer
            duration: 5m
            multi_instance: {count: 3}
        """
        let e = #expect(throws: DefinitionErrors.self) {
            try BPMNWriter.export(yaml: source, file: "t.yaml")
        }
        let text = e?.description ?? ""
        #expect(text.hasPrefix("t.yaml:3:5: error: cannot export 'wait' to BPMN: "
            + "BPMN allows loops and multi-instance only"), "\(text)")
    }

    @Test func aParameterWithADotInItsNameIsRefused() throws {
        let source = """
        id: dotted
        activities:
          - id: send
            type: service
            action: notify
            a.b: x
        """
        let e = #expect(throws: DefinitionErrors.self) {
            try BPMNWriter.export(yaml: source, file: "d.yaml")
        }
        let text = e?.description ?? ""
        #expect(text.contains("d.yaml:3:5: error: cannot export 'send' to BPMN: parameter 'a.b'"), "\(text)")
    }

    /// A mapping with placeholders is written one input per entry (`body.label`), so an entry
    /// cannot read its sibling; inside a list, where it must be a FEEL context, such a read is refused.
    @Test func mappingEntriesDoNotReadTheirSiblings() throws {
        let ok = "id: m\nactivities:\n  - id: s\n    type: service\n    action: http\n"
            + "    body: {count: 2, label: \"of ${count}\"}\n"
        let xml = try BPMNWriter.export(yaml: ok, file: "m.yaml")
        #expect(xml.contains("target=\"body.label\""))
        #expect(xml.contains("<zeebe:input source=\"=2\" target=\"body.count\" />"))
        let clash = "id: m\nactivities:\n  - id: s\n    type: service\n    action: http\n"
            + "    items: [{count: 2, label: \"of ${count}\"}]\n"
        let e = #expect(throws: DefinitionErrors.self) { try BPMNWriter.export(yaml: clash, file: "m.yaml") }
        let text = e?.description ?? ""
        #expect(text.contains("m.yaml:3:5: error: cannot export 's' to BPMN: 'items': the entry 'label'"), "\(text)")
    }

    @Test func invalidYAMLGivesItsOwnErrors() throws {
        let e = #expect(throws: DefinitionErrors.self) {
            try BPMNWriter.export(yaml: "id: x\nactivities:\n  - id: a\n    type: nope\n", file: "bad.yaml")
        }
        let text = e?.description ?? ""
        #expect(text.hasPrefix("bad.yaml:4:11: error: unknown activity type 'nope'"), "\(text)")
    }

    @Test func theReaderRefusesBpmExtensionsWhereTheyDoNotApply() throws {
        let xml = try Self.export().replacingOccurrences(of: "<zeebe:userTask />",
                                                        with: "<zeebe:userTask /><bpm:connector external=\"false\" />")
        let e = #expect(throws: DefinitionErrors.self) {
            try BPMNDefinitionReader.read(source: xml, file: "w.bpmn")
        }
        let text = e?.description ?? ""
        #expect(text.contains("'bpm:connector' does not apply to 'approve' (a userTask)"), "\(text)")
        let unknown = try Self.export().replacingOccurrences(of: "<zeebe:userTask />",
                                                            with: "<zeebe:userTask /><bpm:nope />")
        let e2 = #expect(throws: DefinitionErrors.self) {
            try BPMNDefinitionReader.read(source: unknown, file: "w.bpmn")
        }
        let text2 = e2?.description ?? ""
        #expect(text2.contains("unknown extension element 'bpm:nope'"), "\(text2)")
    }

    @Test func isoDurations() {
        #expect(BPMNWriterExpressions.isoDuration(0) == "PT0S")
        #expect(BPMNWriterExpressions.isoDuration(300) == "PT5M")
        #expect(BPMNWriterExpressions.isoDuration(172_800) == "P2D")
        #expect(BPMNWriterExpressions.isoDuration(90_061) == "P1DT1H1M1S")
        #expect(BPMNWriterExpressions.isoDuration(0.5) == "PT0.5S")
    }
}
