import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// REST v2's user task operations and searches. A search reads at most `scanLimit` matching
/// rows, then sorts and pages them (`totalItems` counts those).
extension CamundaGateway {
    static let scanLimit = 10_000

    // MARK: user tasks

    /// Sets a created task's assignee; with `allowOverride` false, `failedPrecondition` when
    /// another user holds it.
    public func assignUserTask(key: CamundaKey, assignee: String, allowOverride: Bool = true) async throws {
        let id = try await keys.id(key, .userTask, what: "user task")
        _ = try await camunda {
            allowOverride
                ? try await runtime.assignTask(id, to: assignee) : try await runtime.claimTask(id, user: assignee)
        }
    }

    /// Clears a task's assignee.
    public func unassignUserTask(key: CamundaKey) async throws {
        let id = try await keys.id(key, .userTask, what: "user task")
        _ = try await camunda { try await runtime.assignTask(id, to: nil) }
    }

    /// Completes a created task with variables (checked against its form); `notFound` for an
    /// unknown task, `failedPrecondition` for one not open.
    public func completeUserTask(key: CamundaKey, variables: CamundaVariables) async throws {
        let id = try await keys.id(key, .userTask, what: "user task")
        _ = try await camunda { try await runtime.completeTask(id, variables: variables, camundaForm: false) }
    }

    // MARK: searches

    public func searchInstances(
        _ filter: CamundaInstanceFilter, sort: [CamundaSort] = [],
        page: CamundaPage = CamundaPage()
    ) async throws
        -> CamundaSearchResult<CamundaInstanceItem>
    {
        var q = InstanceQuery(definitionId: filter.processDefinitionId, limit: Self.scanLimit)
        if let key = filter.processDefinitionKey {
            let d = try await definition(key: key)
            q.definitionId = d.id
            q.definitionVersion = d.version
        }
        if let v = filter.processDefinitionVersion { q.definitionVersion = Int(v) }
        q.startedAfter = filter.startDateAfter
        q.startedBefore = filter.startDateBefore
        if filter.state == .completed { q.status = .completed }
        var rows = try await camunda { try await runtime.store.instances(q) }
        if let key = filter.processInstanceKey {
            let id = try await keys.ref(key).flatMap { $0.kind == .processInstance ? $0.id : nil }
            rows = rows.filter { $0.id == id }
        }
        if let state = filter.state { rows = rows.filter { Self.state($0.status) == state } }
        let open = Set(
            try await camunda {
                try await runtime.store.incidents(IncidentQuery(openOnly: true, limit: Self.scanLimit))
            }.map(\.incident.instanceId))
        if let h = filter.hasIncident { rows = rows.filter { open.contains($0.id) == h } }
        let refs = rows.flatMap {
            [
                CamundaRef(.processInstance, $0.id),
                CamundaRef(.processDefinition, Self.definitionRef($0.definitionId, $0.definitionVersion)),
            ]
        }
        let k = try await keys.keys(refs)
        let items = rows.enumerated().map { n, r in
            CamundaInstanceItem(
                processInstanceKey: k[2 * n], processDefinitionId: r.definitionId,
                processDefinitionName: r.definitionId, processDefinitionVersion: Int32(r.definitionVersion),
                processDefinitionKey: k[2 * n + 1], parentProcessInstanceKey: nil, startDate: r.startedAt,
                endDate: r.completedAt, state: Self.state(r.status), hasIncident: open.contains(r.id),
                tenantId: camundaDefaultTenant)
        }
        return Self.paged(items, sort: sort, page: page, where: filter.conditions) { item, field in
            switch field {
            case "processInstanceKey": .number(Double(item.processInstanceKey))
            case "processDefinitionId": .string(item.processDefinitionId)
            case "processDefinitionVersion": .number(Double(item.processDefinitionVersion))
            case "state": .string(item.state.rawValue)
            case "endDate": item.endDate.map { .number($0.timeIntervalSince1970) } ?? .null
            default: .number(item.startDate.timeIntervalSince1970)
            }
        }
    }

    public func searchUserTasks(
        _ filter: CamundaUserTaskFilter, sort: [CamundaSort] = [],
        page: CamundaPage = CamundaPage()
    ) async throws
        -> CamundaSearchResult<CamundaUserTaskItem>
    {
        var q = TaskQuery(
            status: filter.state.map(Self.taskStatus), assignee: filter.assignee,
            candidateGroup: filter.candidateGroup, limit: Self.scanLimit)
        if let key = filter.processInstanceKey {
            q.instanceId = try await keys.id(key, .processInstance, what: "process instance")
        }
        q.definitionId = filter.processDefinitionId
        var rows = try await camunda { try await runtime.store.userTasks(q) }
        if let key = filter.userTaskKey {
            let id = try await keys.ref(key).flatMap { $0.kind == .userTask ? $0.id : nil }
            rows = rows.filter { $0.id == id }
        }
        if let e = filter.elementId { rows = rows.filter { $0.elementId == e } }
        if let u = filter.candidateUser { rows = rows.filter { $0.candidateUsers.contains(u) } }
        var items: [CamundaUserTaskItem] = []
        let forms = try await linkedForms(rows)
        for t in rows { items.append(try await item(t, forms: forms)) }
        if let key = filter.processDefinitionKey { items = items.filter { $0.processDefinitionKey == key } }
        return Self.paged(items, sort: sort, page: page, where: filter.conditions) { item, field in
            switch field {
            case "priority": .number(Double(item.priority))
            case "completionDate": item.completionDate.map { .number($0.timeIntervalSince1970) } ?? .null
            case "dueDate": item.dueDate.map { .number($0.timeIntervalSince1970) } ?? .null
            case "followUpDate": item.followUpDate.map { .number($0.timeIntervalSince1970) } ?? .null
            default: .number(item.creationDate.timeIntervalSince1970)
            }
        }
    }

    /// Camunda's view of a user task; `forms` the deployed forms tasks link (`linkedForms`).
    func item(_ t: UserTaskRecord, forms: [String: DefinitionRecord]) async throws -> CamundaUserTaskItem {
        let version = try await camunda { try await runtime.store.instance(t.instanceId) }?.definitionVersion ?? 1
        let form = Self.formId(t).flatMap { id in
            forms[id].map { CamundaRef(.form, Self.definitionRef(id, $0.version)) }
        }
        let k = try await keys.keys(
            [
                CamundaRef(.userTask, t.id), CamundaRef(.elementInstance, "\(t.instanceId)/\(t.id)"),
                CamundaRef(.processDefinition, Self.definitionRef(t.definitionId, version)),
                CamundaRef(.processInstance, t.instanceId),
            ] + (form.map { [$0] } ?? []))
        return CamundaUserTaskItem(
            userTaskKey: k[0], name: t.name, state: Self.taskState(t.status), assignee: t.assignee,
            elementId: t.elementId,
            elementInstanceKey: k[1], candidateGroups: t.candidateGroups, candidateUsers: t.candidateUsers,
            processDefinitionId: t.definitionId, processDefinitionKey: k[2], processDefinitionVersion: Int32(version),
            processInstanceKey: k[3], formKey: form == nil ? nil : k[4], creationDate: t.createdAt,
            completionDate: t.completedAt,
            dueDate: t.dueAt, followUpDate: t.followUpAt, priority: Int32(t.priority), tenantId: camundaDefaultTenant)
    }

    // MARK: helpers

    static func state(_ s: InstanceStatus) -> CamundaInstanceState {
        switch s {
        case .running, .suspended: .active
        case .completed: .completed
        case .failed, .terminated: .terminated
        }
    }

    static func taskStatus(_ s: CamundaUserTaskState) -> String {
        switch s {
        case .created: "open"
        case .completed: "completed"
        case .canceled: "cancelled"
        case .creating, .assigning, .completing: s.rawValue.lowercased()
        }
    }

    static func taskState(_ status: String) -> CamundaUserTaskState {
        switch status {
        case "completed": .completed
        case "open": .created
        case "creating": .creating
        case "assigning": .assigning
        case "completing": .completing
        default: .canceled
        }
    }

    /// Sorts by the given fields (each item's value from `value`), then takes the page.
    static func paged<T: Sendable>(
        _ items: [T], sort: [CamundaSort], page: CamundaPage, where conditions: [CamundaCondition] = [],
        value: (T, String) -> Value
    ) -> CamundaSearchResult<T> {
        var sorted = conditions.isEmpty ? items : items.filter { CamundaCondition.all(conditions, $0) }
        if !sort.isEmpty {
            sorted.sort { a, b in
                for s in sort {
                    let x = value(a, s.field)
                    let y = value(b, s.field)
                    if x == y { continue }
                    let less = Self.less(x, y)
                    return s.descending ? !less : less
                }
                return false
            }
        }
        let from = min(max(0, page.from), sorted.count)
        let to = min(sorted.count, from + max(0, page.limit))
        return CamundaSearchResult(items: Array(sorted[from..<to]), totalItems: sorted.count)
    }

    /// Nulls last; numbers and strings in their order.
    static func less(_ x: Value, _ y: Value) -> Bool {
        switch (x, y) {
        case (.number(let a), .number(let b)): a < b
        case (.string(let a), .string(let b)): a < b
        case (.null, _): false
        case (_, .null): true
        default: JSON.encode(x) < JSON.encode(y)
        }
    }
}
