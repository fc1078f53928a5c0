import BPMCamunda
import BPMServer
import Foundation

/// User tasks: search, get (and the linked form), assignment, completion. With auth on, completing needs the
/// caller to be the task's assignee or one of its candidates, as on our own API.
extension V2Handler {
    func searchUserTasks(_ input: Operations.SearchUserTasks.Input) async throws -> Operations.SearchUserTasks.Output {
        var query = Components.Schemas.UserTaskSearchQuery()
        if case .json(let q) = input.body { query = q }
        let (sort, page) = try V2Search.sortAndPage(query.sort, query.page)
        var filter = CamundaUserTaskFilter()
        if let f = query.filter { filter.conditions = try V2.conditions {
            filter.userTaskKey = try V2.filterKey(f.userTaskKey, "userTaskKey")
            filter.state = try V2.filterEnum(f.state, "state", CamundaUserTaskState.self)
            filter.assignee = try V2.filterString(f.assignee, "assignee")
            filter.candidateGroup = try V2.filterString(f.candidateGroup, "candidateGroup")
            filter.candidateUser = try V2.filterString(f.candidateUser, "candidateUser")
            filter.processInstanceKey = try V2.filterKey(f.processInstanceKey, "processInstanceKey")
            filter.processDefinitionKey = try V2.filterKey(f.processDefinitionKey, "processDefinitionKey")
            filter.processDefinitionId = try V2.filterString(f.processDefinitionId, "processDefinitionId")
            filter.elementId = try V2.filterString(f.elementId, "elementId")
            filter.tenantId = try V2.filterString(f.tenantId, "tenantId")
        } }
        let r = try await gateway.searchUserTasks(filter, sort: sort, page: page)
        let items = r.items.map(Self.userTask)
        return .ok(.init(body: .json(.init(items: items, page: V2Search.page(r.totalItems, page, count: items.count)))))
    }

    static func userTask(_ t: CamundaUserTaskItem) -> Components.Schemas.UserTaskResult {
        .init(name: V2.nullable(t.name), state: .init(rawValue: t.state.rawValue) ?? .created,
              assignee: V2.nullable(t.assignee), elementId: t.elementId, candidateGroups: t.candidateGroups,
              candidateUsers: t.candidateUsers, processDefinitionId: t.processDefinitionId,
              creationDate: t.creationDate, completionDate: V2.nullable(t.completionDate),
              followUpDate: V2.nullable(t.followUpDate), dueDate: V2.nullable(t.dueDate), tenantId: t.tenantId,
              externalFormReference: nil, processDefinitionVersion: t.processDefinitionVersion,
              customHeaders: .init(additionalProperties: [:]), priority: t.priority,
              userTaskKey: V2.string(t.userTaskKey), elementInstanceKey: V2.string(t.elementInstanceKey),
              processName: nil, processDefinitionKey: V2.string(t.processDefinitionKey),
              processInstanceKey: V2.string(t.processInstanceKey),
              rootProcessInstanceKey: V2.nullable(t.processInstanceKey), formKey: V2.nullable(t.formKey), tags: [])
    }

    func getUserTask(_ input: Operations.GetUserTask.Input) async throws -> Operations.GetUserTask.Output {
        let t = try await gateway.userTask(key: try V2.key(input.path.userTaskKey, "userTaskKey"))
        return .ok(.init(body: .json(Self.userTask(t))))
    }

    func getUserTaskForm(_ input: Operations.GetUserTaskForm.Input) async throws -> Operations.GetUserTaskForm.Output {
        guard let f = try await gateway.userTaskForm(key: try V2.key(input.path.userTaskKey, "userTaskKey")) else {
            return .noContent(.init())
        }
        return .ok(.init(body: .json(.init(tenantId: f.tenantId, formId: f.formId, schema: f.schema,
                                           version: f.version, formKey: V2.string(f.formKey)))))
    }

    func assignUserTask(_ input: Operations.AssignUserTask.Input) async throws -> Operations.AssignUserTask.Output {
        let key = try V2.key(input.path.userTaskKey, "userTaskKey")
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard let assignee = b.assignee, !assignee.isEmpty else {
            throw V2Problem.invalid("assignee must name a user")
        }
        try await gateway.assignUserTask(key: key, assignee: assignee, allowOverride: b.allowOverride ?? true)
        return .noContent(.init())
    }

    func completeUserTask(_ input: Operations.CompleteUserTask.Input) async throws
        -> Operations.CompleteUserTask.Output
    {
        let key = try V2.key(input.path.userTaskKey, "userTaskKey")
        var variables: CamundaVariables = [:]
        if case .json(let b) = input.body { variables = try V2.variables(b.variables?.additionalProperties) }
        try await authorizeUserTask(key)
        try await gateway.completeUserTask(key: key, variables: variables)
        return .noContent(.init())
    }

    /// With auth on: the caller must be the task's assignee or a candidate (an unknown key is left to the
    /// operation: 404).
    func authorizeUserTask(_ key: CamundaKey) async throws {
        guard let caller = Auth.caller else { return }
        guard let ref = try await gateway.keys.ref(key), ref.kind == .userTask,
              let task = try await gateway.runtime.store.userTask(ref.id) else { return }
        guard caller.mayWork(on: task) else {
            let who = task.assignee.map { "it is assigned to \($0)" }
                ?? "its candidates are users [\(task.candidateUsers.joined(separator: ", "))] and groups "
                + "[\(task.candidateGroups.joined(separator: ", "))]"
            throw V2Problem(.forbidden, "FORBIDDEN", "\(caller.user) may not complete user task \(key): \(who)")
        }
    }
}
