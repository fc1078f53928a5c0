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

    /// Camunda 8.8's job worker implementation needs job results that activate elements.
    @Test func theJobWorkerImplementationIsRefused() {
        let refused = refusal(Self.model(extensions: #"<zeebe:taskDefinition type="agent"/>"#))
        #expect(refused == [
            "m.bpmn:6:29: error: ad-hoc sub-process 'a' has a zeebe:taskDefinition (Camunda 8.8's job worker "
                + "implementation, used by the AI-agent connector): not supported yet — activate its elements "
                + "with zeebe:adHoc activeElementsCollection instead",
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
