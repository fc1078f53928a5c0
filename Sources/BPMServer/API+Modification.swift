import BPMEngine
import BPMExpressions
import Foundation

/// `POST /processes/{id}/modify`: an operator's repair of a running instance, the engine's
/// `Modification` (Zeebe's ModifyProcessInstance) in our own words:
///
///     {"activate": [{"element": "review", "variables": {"approved": false}, "scope": "sub",
///                    "ancestor": "TOKEN"}],
///      "terminate": ["TOKEN or element id"]}
///
/// Activations first (their flow scopes created where missing, variables set on `scope` — an
/// element id of the activated element or a sub-process around it; default the instance —
/// before the element is entered), then terminations, in one command: all of it or nothing.
/// A body with neither changes nothing and answers the instance.
extension API {
    func modify(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        if let unknown = o.keys.sorted().first(where: { !["activate", "terminate"].contains($0) }) {
            throw Self.invalidModification("unknown field '\(unknown)': a modification has activate and terminate")
        }
        var m = Modification()
        for (n, a) in try Self.list(o, "activate").enumerated() {
            m.activate.append(try activation(a, n))
        }
        for (n, t) in try Self.list(o, "terminate").enumerated() {
            guard let s = t.stringValue, !s.isEmpty else {
                throw Self.invalidModification("terminate[\(n)] must be a token id or an element id")
            }
            m.terminate.append(s)
        }
        // nothing to do is done, as Zeebe's ModifyProcessInstance without instructions
        if m.activate.isEmpty, m.terminate.isEmpty { return try await instance(id) }
        return Views.instance(try await runtime.send(.modify(m), to: id))
    }

    /// One `activate` entry: `element` (required), `variables`, `scope`, `ancestor`.
    func activation(_ v: Value, _ n: Int) throws -> Modification.Activation {
        guard case .context(let a) = v else { throw Self.invalidModification("activate[\(n)] must be an object") }
        if let unknown = a.keys.sorted().first(where: { !["element", "variables", "scope", "ancestor"].contains($0) }) {
            throw Self.invalidModification("activate[\(n)]: unknown field '\(unknown)' (element, variables, scope, ancestor)")
        }
        guard let element = try Self.string(a, "element"), !element.isEmpty else {
            throw Self.invalidModification("activate[\(n)] needs the element to activate ('element')")
        }
        var out = Modification.Activation(elementId: element, ancestor: try Self.string(a, "ancestor"))
        let values = try variables(a)
        if !values.isEmpty {
            out.variables = [Modification.ScopedValues(scopeId: try Self.string(a, "scope"), variables: values)]
        }
        return out
    }

    /// A list field of the body; absent or null is empty.
    static func list(_ body: [String: Value], _ key: String) throws -> [Value] {
        switch body[key] {
        case nil, .null?: return []
        case .list(let l)?: return l
        default: throw invalidModification("'\(key)' must be a list")
        }
    }

    static func invalidModification(_ detail: String) -> Problem {
        Problem(.badRequest, "invalid-modification", "Invalid modification", detail)
    }
}
