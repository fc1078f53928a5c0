import BPMCamunda
import Foundation

/// Repairs of running instances and deployments: modification, migration between versions, deleting a
/// resource. The same facade calls as Zeebe's ModifyProcessInstance, MigrateProcessInstance and DeleteResource.
extension V2Handler {
    func modifyProcessInstance(_ input: Operations.ModifyProcessInstance.Input) async throws
        -> Operations.ModifyProcessInstance.Output
    {
        guard case .json(let body) = input.body else { throw V2Problem.invalid("send application/json") }
        let key = try V2.key(input.path.processInstanceKey, "processInstanceKey")
        guard (body.moveInstructions ?? []).isEmpty else {
            throw V2Problem.invalid("moveInstructions are not served: activate the target and terminate the source")
        }
        var activate: [CamundaActivateInstruction] = []
        for a in body.activateInstructions ?? [] {
            var values: [(scopeId: String?, variables: CamundaVariables)] = []
            for v in a.variableInstructions ?? [] {
                values.append((v.scopeId, try V2.variables(v.variables.additionalProperties)))
            }
            let ancestor = try V2.optionalKey(a.ancestorElementInstanceKey, "ancestorElementInstanceKey")
            activate.append(.init(elementId: a.elementId, ancestorElementInstanceKey: ancestor, variables: values))
        }
        var byKey: [CamundaKey] = []
        var byElement: [String] = []
        for t in body.terminateInstructions ?? [] {
            switch (t.elementInstanceKey, t.elementId) {
            case (let k?, nil): byKey.append(try V2.key(k, "elementInstanceKey"))
            case (nil, let id?): byElement.append(id)
            default:
                throw V2Problem.invalid("a terminate instruction names either elementInstanceKey or elementId")
            }
        }
        try await gateway.modifyInstance(key: key, activate: activate, terminate: byKey, terminateElements: byElement)
        return .noContent(.init())
    }

    func migrateProcessInstance(_ input: Operations.MigrateProcessInstance.Input) async throws
        -> Operations.MigrateProcessInstance.Output
    {
        guard case .json(let body) = input.body else { throw V2Problem.invalid("send application/json") }
        let key = try V2.key(input.path.processInstanceKey, "processInstanceKey")
        let target = try V2.key(body.targetProcessDefinitionKey, "targetProcessDefinitionKey")
        let mappings = body.mappingInstructions.map {
            CamundaMappingInstruction(sourceElementId: $0.sourceElementId, targetElementId: $0.targetElementId)
        }
        try await gateway.migrateInstance(key: key, targetProcessDefinitionKey: target, mappings: mappings)
        return .noContent(.init())
    }

    func deleteResource(_ input: Operations.DeleteResource.Input) async throws -> Operations.DeleteResource.Output {
        try await gateway.deleteResource(key: V2.key(input.path.resourceKey, "resourceKey"))
        return .ok(.init())
    }
}
