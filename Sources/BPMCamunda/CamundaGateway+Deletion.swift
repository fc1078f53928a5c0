import BPMDecisions
import BPMRuntime
import BPMStore
import Foundation

extension CamundaGateway {
    /// `DeleteResource` by key: a process definition (retired: no new instances; running ones
    /// go on), a decision requirements graph (its decisions: later evaluations and business
    /// rule tasks find them no more, or their previous version) or a form (tasks' lookups of
    /// it fail). Only the latest version of a process or of a graph can be deleted
    /// (`failedPrecondition`); `notFound` for an unknown key.
    public func deleteResource(key: CamundaKey) async throws {
        guard let ref = try await keys.ref(key) else { throw CamundaError(.notFound, "no resource with key \(key)") }
        switch ref.kind {
        case .processDefinition:
            let (id, version) = try await definition(key: key)
            guard let (_, latest) = await runtime.definition(id), latest == version else {
                throw CamundaError(.failedPrecondition, "only the latest version of '\(id)' can be deleted")
            }
            try await camunda { try await runtime.retire(id) }
        case .decisionRequirements:
            let (id, version) = Self.splitRef(ref.id)
            try await deleteDecisionRequirements(id, version: version, key: key)
        case .form:
            let (formId, version) = Self.splitRef(ref.id)
            let now = runtime.clock.now()
            let deleted = try await camunda {
                try await runtime.store.deleteDefinition(id: "form:" + formId, version: version, at: now)
            }
            guard deleted else { throw CamundaError(.notFound, "no form with key \(key) is deployed") }
        default:
            throw CamundaError(.notFound, "no resource with key \(key)")
        }
    }

    /// `id@version` split.
    static func splitRef(_ ref: String) -> (String, Int) {
        let at = ref.lastIndex(of: "@") ?? ref.endIndex
        return (String(ref[..<at]), Int(ref[at...].dropFirst()) ?? 0)
    }

    /// Deletes the latest version of every decision of the graph, then evaluates each by its
    /// previous version, if one is left.
    private func deleteDecisionRequirements(_ drgId: String, version: Int, key: CamundaKey) async throws {
        let stored = try await camunda { try await runtime.store.definitions() }
        var latest: [String: DefinitionRecord] = [:]
        for r in stored where r.id.hasPrefix("decision:") {
            guard (try? DecisionRegistry.parse(source: r.source, file: r.origin))?.name == drgId else { continue }
            if r.version > latest[r.id]?.version ?? 0 { latest[r.id] = r }
        }
        guard let newest = latest.values.map(\.version).max() else {
            throw CamundaError(.notFound, "no decision requirements with key \(key) are deployed")
        }
        guard newest == version else {
            throw CamundaError(.failedPrecondition, "only the latest version of '\(drgId)' (\(newest)) can be deleted")
        }
        let now = runtime.clock.now()
        for r in latest.values {
            _ = try await camunda { try await runtime.store.deleteDefinition(id: r.id, version: r.version, at: now) }
        }
        let ids = latest.keys.map { String($0.dropFirst("decision:".count)) }
        runtime.decisions.remove(ids)
        for r in stored where latest[r.id].map({ $0.version != r.version }) == true {
            if let m = try? DecisionRegistry.parse(source: r.source, file: r.origin) { runtime.decisions.add(m) }
        }
    }
}
