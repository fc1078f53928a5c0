import BPMModel
import Testing

/// A Camunda 8 model as Modeler writes it: the definitions around one executable process.
func zeebeModel(_ id: String, _ body: String) throws -> ProcessDefinition {
    let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
        xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="\(id)" isExecutable="true">
        \(body)
          </bpmn:process>
        </bpmn:definitions>
        """
    return try #require(try BPMNDefinitionReader.read(source: xml, file: "\(id).bpmn").first)
}

/// A service task whose job type is its id.
func zeebeServiceTask(_ id: String) -> String {
    """
    <bpmn:serviceTask id="\(id)">
      <bpmn:extensionElements><zeebe:taskDefinition type="\(id)"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    """
}
