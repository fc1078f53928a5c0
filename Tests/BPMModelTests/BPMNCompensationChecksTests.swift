import BPMModel
import Foundation
import Testing

/// Deploy-time refusals of compensation and transactions (BPMN 2.0.2 §10.3.1, §10.6.5,
/// §13.5.5): what the engine would not run as the specification states is refused with
/// `file:line:col`, the element and the rule — never ignored.
@Suite struct BPMNCompensationChecksTests {
    func refusal(_ body: String) -> [String] {
        do {
            _ = try BPMNDefinitionReader.read(source: bpmn(body), file: "m.bpmn")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    /// A process (line 3) with `a` compensated by `undo` (lines 5–8); `extra` from line 9.
    static func model(boundary: String = #"<b:compensateEventDefinition/>"#, handler: String = #"isForCompensation="true""#,
                      association: String = #"<b:association id="as" sourceRef="comp" targetRef="undo"/>"#,
                      extra: String = "", flows: String = "") -> String
    {
        """
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          <b:task id="a"/>
          <b:boundaryEvent id="comp" attachedToRef="a">\(boundary)</b:boundaryEvent>
          <b:task id="undo" \(handler)/>
          \(association)
          \(extra)
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="a"/><b:sequenceFlow id="f2" sourceRef="a" targetRef="e"/>\(flows)
        </b:process>
        """
    }

    /// One refusal, at `line`, containing `phrase`.
    func expectRefused(_ body: String, line: Int, _ phrase: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let r = refusal(body)
        #expect(r.count == 1, "\(r)", sourceLocation: sourceLocation)
        #expect(r.first?.hasPrefix("m.bpmn:\(line):") == true, "\(r)", sourceLocation: sourceLocation)
        #expect(r.first?.contains(phrase) == true, "\(r)", sourceLocation: sourceLocation)
    }

    @Test func aWellFormedCompensationDeploys() {
        #expect(refusal(Self.model()) == [])
        let throwing = #"<b:intermediateThrowEvent id="t"><b:compensateEventDefinition activityRef="a"/></b:intermediateThrowEvent>"#
        #expect(refusal(Self.model(extra: throwing, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="t"/>"#)) == [])
    }

    /// §10.6.5: the compensation boundary event is joined to its handler by an association.
    @Test func aCompensationBoundaryWithoutItsHandlerIsRefused() {
        let r = refusal(Self.model(association: ""))
        #expect(r.count == 2, "\(r)")
        #expect(r.contains { $0.hasPrefix("m.bpmn:6:3: error: compensation boundary event 'comp' has no association") })
        #expect(r.contains { $0.hasPrefix("m.bpmn:7:3: error: 'undo' is marked isForCompensation but no compensation") })
        expectRefused(Self.model(handler: ""), line: 6, "which is not an activity marked isForCompensation")
    }

    /// §10.6.5: a compensation activity has no incoming or outgoing sequence flows; the boundary
    /// event has none either.
    @Test func sequenceFlowsAtAHandlerOrItsBoundaryAreRefused() {
        expectRefused(Self.model(flows: #"<b:sequenceFlow id="f3" sourceRef="undo" targetRef="e"/>"#), line: 7,
                      "compensation handler 'undo' has sequence flows")
        expectRefused(Self.model(flows: #"<b:sequenceFlow id="f3" sourceRef="comp" targetRef="e"/>"#), line: 6,
                      "compensation boundary event 'comp' has outgoing sequence flows")
    }

    @Test func aHandlerWithoutABoundaryEventIsRefused() {
        expectRefused(Self.model(extra: #"<b:task id="lonely" isForCompensation="true"/>"#), line: 9,
                      "'lonely' is marked isForCompensation but no compensation boundary event is associated")
    }

    /// §10.6.5: `activityRef` names an activity of the throw event's scope that can be compensated.
    @Test func anActivityRefOutsideTheScopeOrWithoutHandlerIsRefused() {
        func throwing(_ ref: String) -> String {
            #"<b:intermediateThrowEvent id="t"><b:compensateEventDefinition activityRef="\#(ref)"/></b:intermediateThrowEvent>"#
        }
        let flow = #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="t"/>"#
        expectRefused(Self.model(extra: throwing("nowhere"), flows: flow), line: 9, "which names no element")
        expectRefused(Self.model(extra: throwing("e"), flows: flow), line: 9, "has no compensation boundary event")
        let nested = #"<b:subProcess id="sp"><b:startEvent id="ss"/>"# + throwing("a")
            + #"<b:sequenceFlow id="g" sourceRef="ss" targetRef="t"/></b:subProcess>"#
        expectRefused(Self.model(extra: nested, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="sp"/>"#), line: 9,
                      "which is not an activity of its scope")
        let bad = #"<b:intermediateThrowEvent id="t"><b:compensateEventDefinition waitForCompletion="yes"/></b:intermediateThrowEvent>"#
        expectRefused(Self.model(extra: bad, flows: flow), line: 9, "waitForCompletion of 't' is 'yes'")
    }

    /// §10.6.5: a cancel end event is used only within a transaction, whose cancel boundary event
    /// it triggers; a cancel boundary event is attached only to a transaction.
    @Test func cancelEventsOutsideATransactionAreRefused() {
        let cancel = #"<b:endEvent id="c"><b:cancelEventDefinition/></b:endEvent>"#
        expectRefused(Self.model(extra: cancel, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="c"/>"#), line: 9,
                      "cancel end event 'c' is not inside a transaction")
        let onTask = #"<b:boundaryEvent id="cb" attachedToRef="a"><b:cancelEventDefinition/></b:boundaryEvent>"#
        expectRefused(Self.model(extra: onTask, flows: #"<b:sequenceFlow id="f3" sourceRef="cb" targetRef="e"/>"#), line: 9,
                      "cancel boundary event 'cb' is attached to 'a', which is not a transaction")
        let uncaught = #"<b:transaction id="tx"><b:startEvent id="ts"/>"# + cancel
            + #"<b:sequenceFlow id="g" sourceRef="ts" targetRef="c"/></b:transaction>"#
        expectRefused(Self.model(extra: uncaught, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="tx"/>"#), line: 9,
                      "transaction 'tx' has no cancel boundary event")
    }

    /// §10.3.1: only the `##Compensate` transaction method is run.
    @Test func aTransactionMethodOtherThanCompensateIsRefused() {
        let tx = "<b:transaction id=\"tx\" method=\"##Image\"><b:startEvent id=\"ts\"/></b:transaction>"
        expectRefused(Self.model(extra: tx, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="tx"/>"#), line: 9,
                      "transaction 'tx' has method '##Image'")
    }

    @Test func aCompensationEventSubProcessOfTheProcessIsRefused() {
        let esp = #"<b:subProcess id="esp" triggeredByEvent="true"><b:startEvent id="cs"><b:compensateEventDefinition/>"#
            + #"</b:startEvent></b:subProcess>"#
        expectRefused(Self.model(extra: esp), line: 9, "a compensation event sub-process belongs in a sub-process")
    }

    /// §10.6.5: a cancel boundary event always interrupts; a compensation start event has nothing
    /// to interrupt — a flag saying otherwise is refused rather than ignored.
    @Test func interruptionFlagsThatCannotHoldAreRefused() {
        let tx = #"<b:transaction id="tx"><b:startEvent id="ts"/></b:transaction>"#
            + #"<b:boundaryEvent id="cb" attachedToRef="tx" cancelActivity="false"><b:cancelEventDefinition/></b:boundaryEvent>"#
        expectRefused(Self.model(extra: tx, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="tx"/>"#
                                    + #"<b:sequenceFlow id="f4" sourceRef="cb" targetRef="e"/>"#), line: 9,
                      "cancel boundary event 'cb' has cancelActivity=\"false\"")
        let esp = #"<b:subProcess id="sp"><b:startEvent id="ss"/><b:subProcess id="esp" triggeredByEvent="true">"#
            + #"<b:startEvent id="cs" isInterrupting="false"><b:compensateEventDefinition/></b:startEvent></b:subProcess></b:subProcess>"#
        expectRefused(Self.model(extra: esp, flows: #"<b:sequenceFlow id="f3" sourceRef="s" targetRef="sp"/>"#), line: 9,
                      "compensation start event 'cs' has isInterrupting=\"false\"")
    }
}
