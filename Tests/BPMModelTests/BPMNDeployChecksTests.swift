import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Deploy-time checks of numbers, expressions and references: each refused with its location,
/// naming the element and the rule.
@Suite struct BPMNDeployChecksTests {
    func refusal(_ body: String) -> [String] {
        do {
            _ = try BPMNDefinitionReader.read(source: bpmn(body), file: "m.bpmn")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    /// A process whose only activity is `activity` (on line 5).
    static func around(_ activity: String, top: String = "") -> String {
        """
        \(top)<b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          \(activity)
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><b:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
        </b:process>
        """
    }

    @Test func tokenQuantitiesBelowOneAreRefused() {
        #expect(refusal(Self.around(#"<b:task id="t" startQuantity="0"/>"#)) == [
            "m.bpmn:5:3: error: startQuantity of 't' is '0': BPMN 2.0 requires a whole number of 1 or more",
        ])
        #expect(refusal(Self.around(#"<b:task id="t" completionQuantity="-2"/>"#)) == [
            "m.bpmn:5:3: error: completionQuantity of 't' is '-2': BPMN 2.0 requires a whole number of 1 or more",
        ])
        #expect(refusal(Self.around(#"<b:task id="t" startQuantity="2" completionQuantity="1"/>"#)) == [])
    }

    @Test func negativeLoopMaximumAndCardinalityAreRefused() {
        let loop = #"<b:task id="t"><b:standardLoopCharacteristics loopMaximum="-1"/></b:task>"#
        #expect(refusal(Self.around(loop)) == [
            "m.bpmn:5:21: error: loopMaximum of 't' is '-1': it must be a whole number of 0 or more",
        ])
        let mi = #"<b:task id="t"><b:multiInstanceLoopCharacteristics><b:loopCardinality>-3</b:loopCardinality>"#
            + "</b:multiInstanceLoopCharacteristics></b:task>"
        #expect(refusal(Self.around(mi)) == [
            "m.bpmn:5:60: error: loopCardinality of 't' is '-3': it must be a whole number of 0 or more",
        ])
        let dynamic = mi.replacingOccurrences(of: "-3", with: "= count")
        #expect(refusal(Self.around(dynamic)) == [], "a cardinality over variables is checked when it runs")
    }

    @Test func multiInstanceWithoutCardinalityOrCollectionIsRefused() {
        let mi = #"<b:task id="t"><b:multiInstanceLoopCharacteristics isSequential="true"/></b:task>"#
        #expect(refusal(Self.around(mi)) == [
            "m.bpmn:5:3: error: unsupported element 'bpmn:task' 't': multi-instance without a loop cardinality or "
                + "an input collection (zeebe:loopCharacteristics inputCollection)",
        ])
    }

    @Test func inputMappingsWhereTheyWouldNotApplyAreRefused() {
        let task = #"<b:receiveTask id="t"><b:extensionElements><zeebe:ioMapping>"#
            + #"<zeebe:input source="=1" target="x"/></zeebe:ioMapping></b:extensionElements></b:receiveTask>"#
        #expect(refusal(Self.around(task)) == [
            "m.bpmn:5:69: error: zeebe:input mappings on 't' (bpmn:receiveTask) are not supported yet: inputs are "
                + "applied to service, send and business rule tasks with a job type, call activities, sub-processes "
                + "and user tasks",
        ])
    }

    @Test func aDefaultFlowWithAConditionIsRefused() {
        let src = """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:exclusiveGateway id="g" default="d"/><b:endEvent id="e"/>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="g"/>
          <b:sequenceFlow id="d" sourceRef="g" targetRef="e">
            <b:conditionExpression>= x &gt; 1</b:conditionExpression></b:sequenceFlow>
          <b:sequenceFlow id="o" sourceRef="g" targetRef="e">
            <b:conditionExpression>= x &lt; 1</b:conditionExpression></b:sequenceFlow>
        </b:process>
        """
        #expect(refusal(src) == [
            "m.bpmn:6:3: error: default flow 'd' of 'g' has a condition: a default flow is taken "
                + "when no other condition holds and carries none "
                + "(remove its conditionExpression or the default attribute)",
        ])
    }

    @Test(arguments: [
        ("<b:timeDuration>PT5Q</b:timeDuration>", "timer duration 'PT5Q' of 'w'"),
        ("<b:timeDuration>=\"soon\"</b:timeDuration>", "timer duration '=\"soon\"' gave soon, not a duration"),
        ("<b:timeDate>tomorrow</b:timeDate>", "timer date 'tomorrow' of 'w' is not an ISO 8601 date-time"),
        ("<b:timeCycle>R/PT1H</b:timeCycle>", "timer event 'w' has a timeCycle, but it can fire only once"),
    ])
    func unparsableStaticTimersAreRefused(timer: String, message: String) {
        let src = """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          <b:intermediateCatchEvent id="w"><b:timerEventDefinition>\(timer)</b:timerEventDefinition>
            </b:intermediateCatchEvent>
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="w"/><b:sequenceFlow id="f2" sourceRef="w" targetRef="e"/>
        </b:process>
        """
        let found = refusal(src)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("m.bpmn:5:66: error: \(message)") == true, "\(found)")
    }

    @Test func unparsableTimerStartDatesAndCyclesAreRefused() {
        func start(_ def: String) -> String {
            """
            <b:process id="p" isExecutable="true">
              <b:startEvent id="s"><b:timerEventDefinition>\(def)</b:timerEventDefinition></b:startEvent>
                <b:endEvent id="e"/>
              <b:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>
            </b:process>
            """
        }
        #expect(refusal(start("<b:timeDate>next tuesday</b:timeDate>")).first?.contains(
            "timer date 'next tuesday' is not an ISO 8601 date-time") == true)
        #expect(refusal(start("<b:timeCycle>every day</b:timeCycle>")).first?.contains(
            "timer cycle 'every day': use an ISO 8601 repeating interval") == true)
        #expect(refusal(start(#"<b:timeDate>="2027-01-01T08:00:00Z"</b:timeDate>"#)) == [])
    }
}

/// Shared event definitions (`eventDefinitionRef`) and the references of events, resolved at deploy.
@Suite struct BPMNReferenceTests {
    func read(_ body: String) throws(DefinitionErrors) -> ProcessDefinition {
        try BPMNDefinitionReader.read(source: bpmn(body), file: "m.bpmn")[0]
    }

    func refusal(_ body: String) -> [String] {
        do {
            _ = try read(body)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let shared = """
    <b:message id="m" name="paid"><b:extensionElements><zeebe:subscription correlationKey="=orderId"/>
      </b:extensionElements></b:message>
    <b:signal id="sig" name="stop"/><b:error id="err" errorCode="E42"/><b:escalation id="esc" escalationCode="LATE"/>
    <b:messageEventDefinition id="onPaid" messageRef="m"/>
    <b:signalEventDefinition id="onStop" signalRef="sig"/>
    <b:errorEventDefinition id="onError" errorRef="err"/>
    <b:escalationEventDefinition id="onLate" escalationRef="esc"/>
    <b:timerEventDefinition id="fiveMinutes"><b:timeDuration>PT5M</b:timeDuration></b:timerEventDefinition>
    """

    @Test func eventDefinitionRefsResolveForEveryEventKind() throws {
        let d = try read(Self.shared + """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          <b:subProcess id="sub">
            <b:startEvent id="ss"/>
            <b:intermediateCatchEvent id="wait"><b:eventDefinitionRef>onPaid</b:eventDefinitionRef>
              </b:intermediateCatchEvent>
            <b:intermediateThrowEvent id="late"><b:eventDefinitionRef>onLate</b:eventDefinitionRef>
              </b:intermediateThrowEvent>
            <b:intermediateCatchEvent id="pause"><b:eventDefinitionRef>fiveMinutes</b:eventDefinitionRef>
              </b:intermediateCatchEvent>
            <b:endEvent id="fail"><b:eventDefinitionRef>onError</b:eventDefinitionRef></b:endEvent>
            <b:sequenceFlow id="a" sourceRef="ss" targetRef="wait"/>
              <b:sequenceFlow id="b" sourceRef="wait" targetRef="late"/>
            <b:sequenceFlow id="c" sourceRef="late" targetRef="pause"/>
              <b:sequenceFlow id="x" sourceRef="pause" targetRef="fail"/>
          </b:subProcess>
          <b:boundaryEvent id="stopped" attachedToRef="sub"><b:eventDefinitionRef>onStop</b:eventDefinitionRef>
            </b:boundaryEvent>
          <b:boundaryEvent id="failed" attachedToRef="sub"><b:eventDefinitionRef>onError</b:eventDefinitionRef>
            </b:boundaryEvent>
          <b:endEvent id="e"/>
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/><b:sequenceFlow id="f2" sourceRef="sub" targetRef="e"/>
          <b:sequenceFlow id="f3" sourceRef="stopped" targetRef="e"/>
            <b:sequenceFlow id="f4" sourceRef="failed" targetRef="e"/>
        </b:process>
        """)
        guard case .messageCatchEvent(let m) = d.element("wait")?.kind else { Issue.record("wait"); return }
        #expect(m.name == "paid")
        #expect(m.correlationKey?.source == "orderId")
        guard case .escalationThrowEvent("LATE") = d.element("late")?.kind else { Issue.record("late"); return }
        guard case .timerCatchEvent(let t) = d.element("pause")?.kind else { Issue.record("pause"); return }
        #expect(t.seconds == 300)
        guard case .endEvent(let end) = d.element("fail")?.kind else { Issue.record("fail"); return }
        #expect(end.error?.code == "E42")
        guard case .boundaryEvent(let stop) = d.element("stopped")?.kind, case .signal("stop") = stop.trigger else {
            Issue.record("stopped")
            return
        }
        guard case .boundaryEvent(let failed) = d.element("failed")?.kind, case .error("E42") = failed.trigger else {
            Issue.record("failed")
            return
        }
    }

    @Test func startEventsTakeSharedDefinitionsToo() throws {
        let d = try read(Self.shared + """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"><b:eventDefinitionRef>onPaid</b:eventDefinitionRef></b:startEvent><b:endEvent id="e"/>
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>
        </b:process>
        """)
        guard case .messageStartEvent(let m) = d.element("s")?.kind else { Issue.record("not a message start"); return }
        #expect(m.name == "paid")
    }

    @Test func unknownReferencesAreRefused() {
        let src = """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          <b:intermediateCatchEvent id="w"><b:eventDefinitionRef>nowhere</b:eventDefinitionRef>
            </b:intermediateCatchEvent>
          <b:intermediateCatchEvent id="m"><b:messageEventDefinition messageRef="Message_9"/></b:intermediateCatchEvent>
          <b:intermediateThrowEvent id="g"><b:signalEventDefinition signalRef="Signal_9"/></b:intermediateThrowEvent>
          <b:endEvent id="x"><b:escalationEventDefinition escalationRef="Esc_9"/></b:endEvent>
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="w"/><b:sequenceFlow id="f2" sourceRef="w" targetRef="m"/>
          <b:sequenceFlow id="f3" sourceRef="m" targetRef="g"/><b:sequenceFlow id="f4" sourceRef="g" targetRef="x"/>
        </b:process>
        """
        #expect(refusal(src) == [
            "m.bpmn:5:39: error: eventDefinitionRef 'nowhere' of 'w' names no event definition "
                + "at the top level of the file",
            "m.bpmn:7:39: error: 'm' refers to message 'Message_9', which the file does not define "
                + "(add <bpmn:message id=\"Message_9\" …/> at the top level)",
            "m.bpmn:8:39: error: 'g' refers to signal 'Signal_9', which the file does not define "
                + "(add <bpmn:signal id=\"Signal_9\" …/> at the top level)",
            "m.bpmn:9:25: error: 'x' refers to escalation 'Esc_9', which the file does not define "
                + "(add <bpmn:escalation id=\"Esc_9\" …/> at the top level)",
        ])
    }

    /// BPMN 2.0 §10.4.5 (error end event): the error thrown is the one `errorRef` names.
    @Test func errorEndEventsNameADefinedError() {
        func end(_ def: String) -> String {
            """
            <b:process id="p" isExecutable="true">
              <b:startEvent id="s"/><b:endEvent id="x">\(def)</b:endEvent>
              <b:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>
            </b:process>
            """
        }
        #expect(refusal(end(#"<b:errorEventDefinition errorRef="Error_0"/>"#)) == [
            "m.bpmn:4:50: error: 'x' refers to error 'Error_0', which the file does not define "
                + "(add <bpmn:error id=\"Error_0\" …/> at the top level)",
        ])
        #expect(refusal(end("<b:errorEventDefinition/>")) == [
            "m.bpmn:4:50: error: error end event 'x' names no error: add errorRef to a <bpmn:error errorCode=\"…\"/> "
                + "(the code its catcher matches)",
        ])
    }
}
