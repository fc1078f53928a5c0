/// Camunda 7 models: external tasks run as jobs of their topic; the implementations that need
/// Camunda 7's Java engine (delegates, JUEL expressions, connectors) are refused by name.
extension BPMNDefinitionReader.Reader {
    /// A `camunda:` attribute (Camunda Modeler always writes that prefix).
    func camunda(_ c: XMLElement, _ name: String) -> String? { c.attributes["camunda:" + name] }

    /// `camunda:type="external" camunda:topic="…"`: the job type is the topic, as workers fetch it.
    func camundaExternalTopic(_ c: XMLElement) -> String? {
        guard camunda(c, "type") == "external",
              let topic = camunda(c, "topic"), !topic.isEmpty else { return nil }
        return topic
    }

    /// Why a Camunda 7 implementation cannot run here, when the task has one.
    func camunda7Implementation(_ c: XMLElement) -> String? {
        if camunda(c, "type") == "external" {
            return "is a Camunda 7 external task without camunda:topic: add camunda:topic=\"…\" (its job type)"
        }
        let kinds = [
            ("class", "a Java delegate (camunda:class)"),
            ("delegateExpression", "a Java delegate (camunda:delegateExpression)"),
            ("expression", "a JUEL expression (camunda:expression)"), ("type", "a Camunda 7 task type (camunda:type)"),
        ]
        for (attribute, what) in kinds where camunda(c, attribute) != nil {
            return "is implemented by \(what), which needs Camunda 7's Java engine: "
                + "use an external task (camunda:type=\"external\" camunda:topic=\"…\") or zeebe:taskDefinition"
        }
        return nil
    }
}
