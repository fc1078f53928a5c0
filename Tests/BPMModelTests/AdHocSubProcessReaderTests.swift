import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Ad-hoc sub-processes as Camunda 8.7+ defines them (Camunda docs "Ad-hoc sub-processes",
/// Constraints and XML representation; BPMN 2.0.2 §10.3.5): what deploys, and each refusal
/// with its location.
@Suite struct AdHocSubProcessReaderTests {
    /// A process around one ad-hoc sub-process `a` (opened on line 5) with the given attributes,
    /// extension elements and inner elements.
    static func model(_ attributes: String = "", extensions: String = "",
                      inner: String = #"<b:task id="t1"/>"#) -> String
    {
        bpmn("""
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/><b:endEvent id="e"/>
          <b:adHocSubProcess id="a"\(attributes)>
            <b:extensionElements>\(extensions)</b:extensionElements>
            \(inner)
          </b:adHocSubProcess>
          <b:sequenceFlow id="f1" sourceRef="s" targetRef="a"/><b:sequenceFlow id="f2" sourceRef="a" targetRef="e"/>
        </b:process>
        """)
    }

    func refusal(_ source: String) -> [String] {
        do {
            _ = try BPMNDefinitionReader.read(source: source, file: "m.bpmn")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func theCamundaFormDeploysWithItsSettings() throws {
        let source = Self.model(#" cancelRemainingInstances="false""#,
                                extensions: #"<zeebe:adHoc activeElementsCollection="=tools" "#
                                    + #"outputCollection="results" outputElement="=result"/>"#,
                                inner: #"<b:task id="t1"/><b:task id="t2"/><b:sequenceFlow id="i" sourceRef="t1" "#
                                    + #"targetRef="t2"/><b:completionCondition>=done</b:completionCondition>"#)
        let def = try #require(try BPMNDefinitionReader.read(source: source, file: "m.bpmn").first)
        let adHoc = try #require(def.element("a")?.adHoc)
        #expect(adHoc.activeElements?.source == "tools")
        #expect(adHoc.completionCondition?.source == "done")
        #expect(adHoc.cancelRemainingInstances == false)
        #expect(adHoc.outputCollection == "results" && adHoc.outputElement?.source == "result")
        #expect(def.element("a")?.typeName == "adHocSubProcess")
        #expect(def.adHocActivatable(in: "a").map(\.id) == ["t1"], "t2 has an incoming flow")
        #expect(def.warnings.isEmpty, "inner elements are reached by activation: \(def.warnings)")
    }

    @Test func defaultsAreCamundas() throws {
        let def = try #require(try BPMNDefinitionReader.read(source: Self.model(), file: "m.bpmn").first)
        let adHoc = try #require(def.element("a")?.adHoc)
        #expect(adHoc.activeElements == nil && adHoc.completionCondition == nil && adHoc.cancelRemainingInstances)
    }

    /// Constraints: "Must not have start events or end events", "Must have at least one activity".
    @Test func startAndEndEventsInsideAndNoActivityAreRefused() {
        #expect(refusal(Self.model(inner: #"<b:task id="t1"/><b:startEvent id="in"/>"#)) == [
            "m.bpmn:7:25: error: ad-hoc sub-process 'a' contains startEvent 'in': the inner elements of an ad-hoc "
                + "sub-process are activated by it, not by start events, and end without end events",
        ])
        #expect(refusal(Self.model(inner: #"<b:task id="t1"/><b:endEvent id="out"/>"#)).first?
            .hasPrefix("m.bpmn:7:25: error: ad-hoc sub-process 'a' contains endEvent 'out'") == true)
        #expect(refusal(Self.model(inner: #"<b:intermediateThrowEvent id="x"/>"#)) == [
            "m.bpmn:5:3: error: ad-hoc sub-process 'a' has no activity: it needs at least one",
        ])
    }

    /// Camunda 8.8's job worker implementation: the task definition (type, retries, headers)
    /// becomes the sub-process's job; its result replaces activeElementsCollection and
    /// completionCondition, which are refused beside it rather than left unused.
    @Test func theJobWorkerImplementationDeploysAndExcludesTheBPMNSettings() throws {
        let ok = Self.model(extensions: #"<zeebe:taskDefinition type="agent" retries="5"/>"#
            + #"<zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>"#)
        let def = try #require(try BPMNDefinitionReader.read(source: ok, file: "m.bpmn").first)
        let worker = try #require(def.element("a")?.adHoc?.jobWorker)
        #expect(worker.action == "agent")
        #expect(worker.retry.retries == 4)
        #expect(worker.external)
        #expect(refusal(Self.model(extensions: #"<zeebe:taskDefinition type="agent"/>"#
            + #"<zeebe:adHoc activeElementsCollection="=tools"/>"#)) == [
            "m.bpmn:6:65: error: ad-hoc sub-process 'a' has both a zeebe:taskDefinition (its job worker decides "
                + "which elements to activate) and an activeElementsCollection: keep one",
        ])
        let condition = #"<b:task id="t1"/><b:completionCondition>=done</b:completionCondition>"#
        #expect(refusal(Self.model(extensions: #"<zeebe:taskDefinition type="agent"/>"#, inner: condition)) == [
            "m.bpmn:7:25: error: ad-hoc sub-process 'a' has both a zeebe:taskDefinition (its job worker's result "
                + "says when the completion condition is fulfilled) and a completionCondition: keep one",
        ])
        #expect(refusal(Self.model(extensions: #"<zeebe:taskDefinition retries="3"/>"#)) == [
            "m.bpmn:6:29: error: the zeebe:taskDefinition of ad-hoc sub-process 'a' has no job type",
        ])
    }

    @Test func settingsWeDoNotRunAreRefused() {
        #expect(refusal(Self.model(#" ordering="Sequential""#)) == [
            "m.bpmn:5:3: error: ad-hoc sub-process 'a' has ordering=\"Sequential\": only Parallel ordering (what "
                + "Camunda 8 runs: the activated elements run at the same time) is supported",
        ])
        #expect(refusal(Self.model(#" ordering="Parallel""#)) == [])
        #expect(refusal(Self.model(#" cancelRemainingInstances="yes""#)) == [
            "m.bpmn:5:3: error: cancelRemainingInstances of 'a' is 'yes': write true or false",
        ])
        #expect(refusal(Self.model(extensions: #"<zeebe:adHoc activeElementsCollection="tools"/>"#)) == [
            "m.bpmn:6:29: error: active elements collection of 'a' must be a FEEL expression starting with '=' "
                + "(Camunda 8 refuses the static value 'tools')",
        ])
        #expect(refusal(Self.model(extensions: #"<zeebe:adHoc outputCollection="results"/>"#)) == [
            "m.bpmn:6:29: error: ad-hoc sub-process 'a' needs both outputCollection and outputElement, or neither",
        ])
        #expect(refusal(Self.model(extensions: #"<zeebe:adHoc activeElements="=x"/>"#)) == [
            "m.bpmn:6:29: error: zeebe:adHoc attribute 'activeElements' of 'a' is not supported "
                + "(activeElementsCollection, outputCollection and outputElement are)",
        ])
    }
}
