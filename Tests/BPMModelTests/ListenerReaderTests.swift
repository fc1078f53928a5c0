import BPMExpressions
import BPMModel
import Foundation
import Testing

/// zeebe:executionListeners and zeebe:taskListeners as Camunda 8 reads them, and every refusal
/// ("Execution listeners", "Limitations"; "User task listeners"), each at its `file:line:col`.
@Suite struct ListenerReaderTests {
    static func process(_ body: String) -> String {
        bpmn("""
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          \(body)
        </b:process>
        """)
    }

    static func listeners(_ items: String) -> String {
        "<b:extensionElements><zeebe:executionListeners>\(items)</zeebe:executionListeners></b:extensionElements>"
    }

    @Test func executionListenersAreReadInOrderWithTheirRetries() throws {
        let src = Self.process("""
        <b:serviceTask id="t"><b:extensionElements><zeebe:taskDefinition type="charge"/><zeebe:executionListeners>
        <zeebe:executionListener eventType="start" type="first"/>
        <zeebe:executionListener eventType="start" type="=&quot;second&quot;" retries="5"/>
        <zeebe:executionListener eventType="end" type="after"/>
        </zeebe:executionListeners></b:extensionElements></b:serviceTask>
        """)
        let def = try #require(try BPMNDefinitionReader.read(source: src, file: "m.bpmn").first)
        let t = try #require(def.element("t"))
        #expect(t.executionListeners.start.map(\.type.source) == ["first", "=\"second\""])
        #expect(t.executionListeners.start[1].retries.evaluate([:]) == .string("5"))
        #expect(t.executionListeners.end.map(\.type.source) == ["after"])
    }

    @Test func processListenersAndTaskListenersAreRead() throws {
        let src = bpmn("""
        <b:process id="p" isExecutable="true">
          \(Self.listeners(#"<zeebe:executionListener eventType="end" type="audit"/>"#))
          <b:startEvent id="s"/>
          <b:userTask id="u"><b:extensionElements><zeebe:userTask/><zeebe:taskListeners>
            <zeebe:taskListener eventType="completing" type="check"/>
            <zeebe:taskListener eventType="assignment" type="notify"/>
          </zeebe:taskListeners></b:extensionElements></b:userTask>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="u"/>
        </b:process>
        """)
        let def = try #require(try BPMNDefinitionReader.read(source: src, file: "m.bpmn").first)
        #expect(def.executionListeners.end.map(\.type.source) == ["audit"])
        guard case .userTask(let task)? = def.element("u")?.kind else { Issue.record("not a user task"); return }
        #expect(task.taskListeners[.completing]?.map(\.type.source) == ["check"])
        #expect(task.taskListeners[.assigning]?.map(\.type.source) == ["notify"])  // the deprecated name
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var rule: String
        var body: String
        var at: String
        var says: String
        var testDescription: String { rule }
    }

    static let refusals: [Refusal] = [
        Refusal(rule: "start events have no start listeners",
                body: #"<b:endEvent id="e"/><b:startEvent id="s2">"#
                    + listeners(#"<zeebe:executionListener eventType="start" type="a"/>"#) + "</b:startEvent>",
                at: "<zeebe:executionListeners>", says: "start execution listener on startEvent 's2'"),
        Refusal(rule: "boundary events have no start listeners",
                body: #"<b:task id="t"/><b:boundaryEvent id="b" attachedToRef="t"><b:timerEventDefinition>"#
                    + "<b:timeDuration>PT1M</b:timeDuration></b:timerEventDefinition>"
                    + listeners(#"<zeebe:executionListener eventType="start" type="a"/>"#) + "</b:boundaryEvent>",
                at: "<zeebe:executionListeners>", says: "boundary events have no start execution listeners"),
        Refusal(rule: "gateways have no end listeners",
                body: #"<b:exclusiveGateway id="g">"#
                    + listeners(#"<zeebe:executionListener eventType="end" type="a"/>"#) + "</b:exclusiveGateway>",
                at: "<zeebe:executionListeners>", says: "end execution listener on exclusiveGateway 'g'"),
        Refusal(rule: "error end events have no end listeners",
                body: #"<b:endEvent id="e"><b:errorEventDefinition errorRef="x"/>"#
                    + listeners(#"<zeebe:executionListener eventType="end" type="a"/>"#) + "</b:endEvent>",
                at: "<zeebe:executionListeners>", says: "error end events have no end execution listeners"),
        Refusal(rule: "compensation boundary events have none",
                body: #"<b:task id="t"/><b:boundaryEvent id="b" attachedToRef="t">"#
                    + "<b:compensateEventDefinition/>"
                    + listeners(#"<zeebe:executionListener eventType="end" type="a"/>"#) + "</b:boundaryEvent>"
                    + #"<b:task id="h" isForCompensation="true"/><b:association id="a1" sourceRef="b" targetRef="h"/>"#,
                at: "<zeebe:executionListeners>", says: "compensation boundary events have no execution listeners"),
        Refusal(rule: "eventType and type pairs are unique",
                body: #"<b:task id="t">"# + listeners(#"<zeebe:executionListener eventType="start" type="a"/>"#
                    + #"<zeebe:executionListener eventType="start" type="a"/>"#) + "</b:task>",
                at: #"<zeebe:executionListener eventType="start" type="a"/></zeebe"#,
                says: "two start execution listeners of type 'a'"),
        Refusal(rule: "eventType is start or end",
                body: #"<b:task id="t">"# + listeners(#"<zeebe:executionListener eventType="take" type="a"/>"#)
                    + "</b:task>",
                at: "<zeebe:executionListener ", says: "eventType=\"take\": expected start or end"),
        Refusal(rule: "a listener needs a type",
                body: #"<b:task id="t">"# + listeners(#"<zeebe:executionListener eventType="end"/>"#) + "</b:task>",
                at: "<zeebe:executionListener ", says: "has no type"),
        Refusal(rule: "retries are a whole number",
                body: #"<b:task id="t">"#
                    + listeners(#"<zeebe:executionListener eventType="end" type="a" retries="many"/>"#) + "</b:task>",
                at: "<zeebe:executionListener ", says: "retries of the end execution listener of task 't'"),
        Refusal(rule: "a joining gateway's start listeners are not run yet",
                body: #"<b:task id="x"/><b:parallelGateway id="g">"#
                    + listeners(#"<zeebe:executionListener eventType="start" type="a"/>"#) + "</b:parallelGateway>"
                    + #"<b:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>"#
                    + #"<b:sequenceFlow id="f2" sourceRef="x" targetRef="g"/>"#,
                at: #"<b:parallelGateway id="g">"#, says: "joining gateway 'g' are not supported yet"),
        Refusal(rule: "task listeners apply to user tasks",
                body: #"<b:task id="t"><b:extensionElements><zeebe:taskListeners><zeebe:taskListener "#
                    + #"eventType="completing" type="a"/></zeebe:taskListeners></b:extensionElements></b:task>"#,
                at: "<zeebe:taskListeners>", says: "task listeners apply to user tasks only"),
        Refusal(rule: "task listener events are Camunda's",
                body: #"<b:userTask id="u"><b:extensionElements><zeebe:taskListeners><zeebe:taskListener "#
                    + #"eventType="claiming" type="a"/></zeebe:taskListeners></b:extensionElements></b:userTask>"#,
                at: "<zeebe:taskListener ", says: "eventType=\"claiming\": expected one of creating"),
    ]

    @Test(arguments: refusals) func isRefusedAtTheListener(_ r: Refusal) throws {
        let src = Self.process(r.body).replacingOccurrences(
            of: #"<bpmn:process"#, with: #"<bpmn:error id="x" errorCode="E"/><bpmn:process"#)
        let at = try #require(CoverageRefusalTests.location(of: r.at, in: src))
        do {
            _ = try BPMNDefinitionReader.read(source: src, file: "m.bpmn")
            Issue.record("deployed although \(r.rule)")
        } catch {
            let found = error.errors.map(\.description)
            #expect(found.contains { $0.hasPrefix("m.bpmn:\(at): error:") && $0.contains(r.says) },
                    "expected a refusal at \(at) saying \(r.says); got \(found)")
        }
    }
}
