import BPMCamunda
import Foundation
import OpenAPIRuntime

/// Deployment results in the v2 shapes.
enum V2Deployments {
    static func result(_ d: CamundaDeployment) -> Components.Schemas.DeploymentResult {
        var items: [Components.Schemas.DeploymentMetadata] = []
        items += d.processes.map { p in
            .init(processDefinition: .init(processDefinitionId: p.bpmnProcessId, processDefinitionVersion: p.version,
                                           resourceName: p.resourceName, tenantId: p.tenantId,
                                           processDefinitionKey: V2.string(p.processDefinitionKey)))
        }
        items += d.decisions.map { x in
            .init(decisionDefinition: .init(decisionDefinitionId: x.dmnDecisionId, version: x.version,
                                            name: x.dmnDecisionName, tenantId: x.tenantId,
                                            decisionRequirementsId: x.dmnDecisionRequirementsId,
                                            decisionDefinitionKey: V2.string(x.decisionKey),
                                            decisionRequirementsKey: V2.string(x.decisionRequirementsKey)))
        }
        items += d.decisionRequirements.map { r in
            .init(decisionRequirements: .init(decisionRequirementsId: r.dmnDecisionRequirementsId,
                                              decisionRequirementsName: r.dmnDecisionRequirementsName,
                                              version: r.version, resourceName: r.resourceName, tenantId: r.tenantId,
                                              decisionRequirementsKey: V2.string(r.decisionRequirementsKey)))
        }
        items += d.forms.map { f in
            .init(form: .init(formId: f.formId, version: f.version, resourceName: f.resourceName,
                              tenantId: f.tenantId, formKey: V2.string(f.formKey)))
        }
        return .init(deploymentKey: V2.string(d.key), tenantId: d.tenantId, deployments: items)
    }
}

/// Process instance requests and results.
enum V2Instances {
    static func creation(_ b: Components.Schemas.ProcessInstanceCreationInstruction) throws -> CamundaCreateInstance {
        let key = try V2.optionalKey(b.processDefinitionKey, "processDefinitionKey")
        switch (b.processDefinitionId, key) {
        case (nil, nil):
            throw V2Problem.invalid("name the process: processDefinitionId or processDefinitionKey")
        case (.some, .some):
            throw V2Problem.invalid("give processDefinitionId or processDefinitionKey, not both")
        default: break
        }
        if b.processDefinitionKey != nil, b.processDefinitionVersion != nil {
            throw V2Problem.invalid("processDefinitionVersion goes with processDefinitionId (a key names one version)")
        }
        return CamundaCreateInstance(bpmnProcessId: b.processDefinitionId, processDefinitionKey: key,
                                     version: b.processDefinitionVersion ?? -1,
                                     variables: try V2.variables(b.variables?.additionalProperties),
                                     startInstructions: (b.startInstructions ?? []).map(\.elementId),
                                     tenantId: b.tenantId)
    }

    static func created(_ c: CamundaCreatedInstance, variables: CamundaVariables, tags: [String]) throws
        -> Components.Schemas.CreateProcessInstanceResult
    {
        .init(processDefinitionId: c.bpmnProcessId, processDefinitionVersion: c.version, tenantId: c.tenantId,
              variables: .init(additionalProperties: try V2.object(variables)),
              processDefinitionKey: V2.string(c.processDefinitionKey),
              processInstanceKey: V2.string(c.processInstanceKey), tags: tags, businessId: nil)
    }

    static func filter(_ f: Components.Schemas.ProcessInstanceSearchQuery.FilterPayload?) throws
        -> CamundaInstanceFilter
    {
        var out = CamundaInstanceFilter()
        guard let f else { return out }
        out.conditions = try V2.conditions { try read(f, into: &out) }
        return out
    }

    static func read(
        _ f: Components.Schemas.ProcessInstanceSearchQuery.FilterPayload, into out: inout CamundaInstanceFilter
    ) throws {
        out.processInstanceKey = try V2.filterKey(f.processInstanceKey, "processInstanceKey")
        out.processDefinitionId = try V2.filterString(f.processDefinitionId, "processDefinitionId")
        out.processDefinitionKey = try V2.filterKey(f.processDefinitionKey, "processDefinitionKey")
        out.processDefinitionVersion = try V2.filterInt(f.processDefinitionVersion, "processDefinitionVersion")
        out.parentProcessInstanceKey = try V2.filterKey(f.parentProcessInstanceKey, "parentProcessInstanceKey")
        out.state = try V2.filterEnum(f.state, "state", CamundaInstanceState.self)
        out.hasIncident = try V2.filterBool(f.hasIncident, "hasIncident")
        out.tenantId = try V2.filterString(f.tenantId, "tenantId")
    }

    static func result(_ i: CamundaInstanceItem) -> Components.Schemas.ProcessInstanceResult {
        .init(processDefinitionId: i.processDefinitionId, processDefinitionName: V2.nullable(i.processDefinitionName),
              processDefinitionVersion: i.processDefinitionVersion, processDefinitionVersionTag: nil,
              startDate: i.startDate, endDate: V2.nullable(i.endDate),
              state: .init(rawValue: i.state.rawValue) ?? .active, hasIncident: i.hasIncident, tenantId: i.tenantId,
              processInstanceKey: V2.string(i.processInstanceKey),
              processDefinitionKey: V2.string(i.processDefinitionKey),
              parentProcessInstanceKey: V2.nullable(i.parentProcessInstanceKey), parentElementInstanceKey: nil,
              rootProcessInstanceKey: i.parentProcessInstanceKey == nil ? V2.nullable(i.processInstanceKey) : nil,
              tags: [], businessId: nil)
    }
}

/// Sort and page of the searches. Cursors are opaque base64 strings (as Camunda's) holding an offset: `endCursor`
/// continues after the page (`after`), `startCursor` goes back before it (`before`).
enum V2Search {
    static func sortAndPage(_ sort: [Components.Schemas.SearchSort]?, _ page: Components.Schemas.SearchPage?)
        throws -> ([CamundaSort], CamundaPage)
    {
        let s = (sort ?? []).map { CamundaSort(field: $0.field, descending: $0.order == .desc) }
        var p = CamundaPage()
        guard let page else { return (s, p) }
        if let limit = page.limit { p.limit = Int(limit) }
        if let from = page.from { p.from = Int(from) }
        if let after = page.after { p.from = try offset(after, "page.after") }
        if let before = page.before { p.from = max(0, try offset(before, "page.before") - p.limit) }
        return (s, p)
    }

    static func page(_ total: Int, _ page: CamundaPage, count: Int) -> Components.Schemas.SearchQueryPageResponse {
        .init(totalItems: Int64(total), hasMoreTotalItems: false,
              startCursor: count == 0 ? nil : V2.nullable(cursor(page.from)),
              endCursor: count == 0 ? nil : V2.nullable(cursor(page.from + count)))
    }

    static func cursor(_ offset: Int) -> String { Data("offset:\(offset)".utf8).base64EncodedString() }

    static func offset(_ cursor: String, _ field: String) throws -> Int {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("offset:"), let n = Int(text.dropFirst(7)), n >= 0
        else { throw V2Problem.invalid("\(field): '\(cursor)' is not a cursor this server gave") }
        return n
    }
}
