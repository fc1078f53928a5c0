import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// REST v2's incident and variable searches.
extension CamundaGateway {
    public func searchIncidents(
        _ filter: CamundaIncidentFilter, sort: [CamundaSort] = [],
        page: CamundaPage = CamundaPage()
    ) async throws
        -> CamundaSearchResult<CamundaIncidentItem>
    {
        var q = IncidentQuery(openOnly: filter.state == .active, limit: Self.scanLimit)
        if let key = filter.processInstanceKey {
            q.instanceId = try await keys.id(key, .processInstance, what: "process instance")
        }
        q.definitionId = filter.processDefinitionId
        q.elementId = filter.elementId
        var rows = try await camunda { try await runtime.store.incidents(q) }
        if filter.state == .resolved { rows = rows.filter { $0.resolvedAt != nil } }
        if let key = filter.incidentKey {
            let id = try await keys.ref(key).flatMap { $0.kind == .incident ? $0.id : nil }
            rows = rows.filter { $0.incident.id == id }
        }
        if let key = filter.jobKey {
            let id = try await keys.ref(key).flatMap { $0.kind == .job ? $0.id : nil }
            rows = rows.filter { $0.incident.jobId == id }
        }
        if let t = filter.errorType { rows = rows.filter { Self.errorType($0.incident.type) == t } }
        var items: [CamundaIncidentItem] = []
        for r in rows { items.append(try await item(r)) }
        if let key = filter.processDefinitionKey { items = items.filter { $0.processDefinitionKey == key } }
        return Self.paged(items, sort: sort, page: page, where: filter.conditions) { item, field in
            switch field {
            case "incidentKey": .number(Double(item.incidentKey))
            case "errorType": .string(item.errorType)
            case "elementId": .string(item.elementId)
            case "state": .string(item.state.rawValue)
            default: .number(item.creationTime.timeIntervalSince1970)
            }
        }
    }

    func item(_ r: IncidentRecord) async throws -> CamundaIncidentItem {
        let i = r.incident
        // incidents do not carry their definition; their instance does
        let s = try await camunda { try await runtime.store.instance(i.instanceId) }
        let definitionId = s?.definitionId ?? ""
        let version = s?.definitionVersion ?? 1
        let scope = "\(i.instanceId)/\(i.jobId ?? i.elementId)"
        var refs = [
            CamundaRef(.incident, i.id), CamundaRef(.processDefinition, Self.definitionRef(definitionId, version)),
            CamundaRef(.processInstance, i.instanceId), CamundaRef(.elementInstance, scope),
        ]
        if let j = i.jobId { refs.append(CamundaRef(.job, j)) }
        let k = try await keys.keys(refs)
        return CamundaIncidentItem(
            incidentKey: k[0], processDefinitionKey: k[1], processDefinitionId: definitionId, processInstanceKey: k[2],
            errorType: Self.errorType(i.type), errorMessage: i.message, elementId: i.elementId,
            elementInstanceKey: k[3],
            creationTime: i.createdAt, state: r.resolvedAt == nil ? .active : .resolved,
            jobKey: k.count > 4 ? k[4] : nil,
            tenantId: camundaDefaultTenant)
    }

    /// Zeebe's name of an incident type of ours.
    static func errorType(_ type: String) -> String {
        switch type {
        case "job_failed", "job_no_retries", "no_connector": "JOB_NO_RETRIES"
        case "unhandled_error_event": "UNHANDLED_ERROR_EVENT"
        case "condition_failed": "CONDITION_ERROR"
        case "called_process": "CALLED_ELEMENT_ERROR"
        case "extract_value": "EXTRACT_VALUE_ERROR"
        default: "UNKNOWN"
        }
    }

    // MARK: variables

    /// The variables of the instances the filter names (one instance by `processInstanceKey`,
    /// else the newest `scanLimit`): the instance's own (scope: the process instance) and
    /// those local to its scopes (scope: the element instance).
    public func searchVariables(
        _ filter: CamundaVariableFilter, sort: [CamundaSort] = [],
        page: CamundaPage = CamundaPage()
    ) async throws
        -> CamundaSearchResult<CamundaVariableItem>
    {
        var states: [InstanceState] = []
        if let key = filter.processInstanceKey {
            states = [try await instance(key: key)]
        } else {
            for r in try await camunda({ try await runtime.store.instances(InstanceQuery(limit: 1000)) }) {
                if let s = try await camunda({ try await runtime.store.instance(r.id) }) { states.append(s) }
            }
        }
        var items: [CamundaVariableItem] = []
        for s in states { items += try await variables(of: s) }
        if let n = filter.name { items = items.filter { $0.name == n } }
        if let k = filter.scopeKey { items = items.filter { $0.scopeKey == k } }
        if let k = filter.variableKey { items = items.filter { $0.variableKey == k } }
        return Self.paged(items, sort: sort, page: page, where: filter.conditions) { item, field in
            switch field {
            case "value": .string(item.value)
            case "variableKey": .number(Double(item.variableKey))
            default: .string(item.name)
            }
        }
    }

    func variables(of s: InstanceState) async throws -> [CamundaVariableItem] {
        var rows: [(scope: CamundaRef, name: String, value: Value)] = []
        let process = CamundaRef(.processInstance, s.id)
        for (name, value) in s.variables.sorted(by: { $0.key < $1.key }) { rows.append((process, name, value)) }
        for (scope, vars) in s.locals.sorted(by: { $0.key < $1.key }) {
            for (name, value) in vars.sorted(by: { $0.key < $1.key }) {
                rows.append((CamundaRef(.elementInstance, "\(s.id)/\(scope)"), name, value))
            }
        }
        let k = try await keys.keys(
            [process]
                + rows.flatMap { r in
                    [r.scope, CamundaRef(.variable, "\(r.scope.kind.rawValue):\(r.scope.id)/\(r.name)")]
                })
        return rows.enumerated().map { n, r in
            CamundaVariableItem(
                variableKey: k[2 + 2 * n], name: r.name, value: JSON.encode(r.value), isTruncated: false,
                processInstanceKey: k[0], scopeKey: k[1 + 2 * n], tenantId: camundaDefaultTenant)
        }
    }
}
