import BPMEngine
import BPMStore
import Foundation

/// A deployed form, as REST v2 `GET /v2/user-tasks/{key}/form` answers it.
public struct CamundaForm: Sendable, Equatable {
    public var formKey: CamundaKey
    public var formId: String
    public var version: Int64
    /// The form's JSON, as deployed.
    public var schema: String
    public var tenantId: String
}

extension CamundaGateway {
    /// One user task by its key (`notFound` when no task has it).
    public func userTask(key: CamundaKey) async throws -> CamundaUserTaskItem {
        let id = try await keys.id(key, .userTask, what: "user task")
        guard let t = try await camunda({ try await runtime.store.userTask(id) }) else {
            throw CamundaError(.notFound, "no user task with key \(key)")
        }
        return try await item(t, forms: try await linkedForms([t]))
    }

    /// The form a user task links with `zeebe:formDefinition formId` (the latest deployed
    /// version); nil when it links none (or an embedded form, which has no key).
    public func userTaskForm(key: CamundaKey) async throws -> CamundaForm? {
        let id = try await keys.id(key, .userTask, what: "user task")
        guard let t = try await camunda({ try await runtime.store.userTask(id) }) else {
            throw CamundaError(.notFound, "no user task with key \(key)")
        }
        guard let formId = Self.formId(t), let rec = try await linkedForms([t])[formId] else { return nil }
        return CamundaForm(
            formKey: try await keys.key(.form, Self.definitionRef(formId, rec.version)), formId: formId,
            version: Int64(rec.version), schema: rec.source, tenantId: camundaDefaultTenant)
    }

    /// The `formId` a task's `zeebe:formDefinition` names, if any.
    static func formId(_ t: UserTaskRecord) -> String? {
        t.form?[member: "formId"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The latest deployed version of each form the tasks link by `formId` (no store call
    /// when none does).
    func linkedForms(_ tasks: [UserTaskRecord]) async throws -> [String: DefinitionRecord] {
        let wanted = Set(tasks.compactMap(Self.formId))
        guard !wanted.isEmpty else { return [:] }
        var out: [String: DefinitionRecord] = [:]
        for d in try await camunda({ try await runtime.store.definitions() }) where d.id.hasPrefix("form:") {
            let formId = String(d.id.dropFirst(5))
            if wanted.contains(formId), d.version > out[formId]?.version ?? 0 { out[formId] = d }
        }
        return out
    }
}
