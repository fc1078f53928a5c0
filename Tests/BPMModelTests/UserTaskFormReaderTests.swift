import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Camunda 8's user task forms in BPMN: a deployed form linked by `formId`, and one embedded in
/// the process (`zeebe:userTaskForm`, named by `formKey="camunda-forms:bpmn:ID"`).
struct UserTaskFormReaderTests {
    static func model(_ formKey: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
          <bpmn:process id="p" isExecutable="true">
            <bpmn:extensionElements>
              <zeebe:userTaskForm id="f1">{"components": [{"type": "checkbox", "key": "ok"}]}</zeebe:userTaskForm>
            </bpmn:extensionElements>
            <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>
            <bpmn:userTask id="t"><bpmn:extensionElements><zeebe:userTask/>
              <zeebe:formDefinition formKey="\(formKey)"/></bpmn:extensionElements></bpmn:userTask>
            <bpmn:userTask id="u"><bpmn:extensionElements><zeebe:userTask/>
              <zeebe:formDefinition formId="review"/></bpmn:extensionElements></bpmn:userTask>
            <bpmn:sequenceFlow id="b" sourceRef="t" targetRef="u"/>
            <bpmn:sequenceFlow id="c" sourceRef="u" targetRef="e"/><bpmn:endEvent id="e"/>
          </bpmn:process>
        </bpmn:definitions>
        """
    }

    func form(_ source: String, _ element: String) throws -> Value? {
        let d = try #require(try BPMNDefinitionReader.read(source: source, file: "f.bpmn").first)
        guard case .userTask(let u) = d.element(element)?.kind else { Issue.record("not a user task"); return nil }
        return u.form
    }

    @Test func anEmbeddedFormIsReadIntoTheTaskItsFormKeyNames() throws {
        let form = try #require(try form(Self.model("camunda-forms:bpmn:f1"), "t"))
        #expect(form[member: "formKey"] == "camunda-forms:bpmn:f1")
        let json = try JSON.parse(try #require(form[member: "embedded"].stringValue))
        #expect(json[member: "components"].listValue?.first?[member: "key"] == "ok")
        #expect(try self.form(Self.model("camunda-forms:bpmn:f1"), "u")?[member: "formId"] == "review")
    }

    @Test func aFormKeyWithoutItsEmbeddedFormDeploysAsZeebeDoes() throws {
        let form = try #require(try form(Self.model("camunda-forms:bpmn:missing"), "t"))
        #expect(form[member: "formKey"] == "camunda-forms:bpmn:missing" && form[member: "embedded"].isNull)
    }
}
