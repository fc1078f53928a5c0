import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation
import Hummingbird

/// The deployed processes as Backstage catalog entities (`GET /backstage/catalog-info.yaml`):
/// one `Component` of type `business-process` per definition, and one `API` entity for the
/// engine's REST API (its OpenAPI document). Register the URL as a catalog location and
/// Backstage lists the processes with no plugin (docs/operations.md).
enum Backstage {
    /// Backstage entity names: letters, digits and `-_.`, at most 63 characters, starting and
    /// ending with a letter or digit.
    static func entityName(_ id: String) -> String {
        var s = String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
        while let f = s.first, !(f.isLetter || f.isNumber) { s.removeFirst() }
        if s.count > 63 { s = String(s.prefix(63)) }
        while let l = s.last, !(l.isLetter || l.isNumber) { s.removeLast() }
        return s.isEmpty ? "process" : s
    }

    /// Tags: lowercase letters, digits, `+#-`, at most 63 characters.
    static func tag(_ s: String) -> String {
        String(s.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "+#-".contains($0) ? $0 : "-" }.prefix(63))
    }

    /// The base URL as the client sees it (proxies' X-Forwarded-* first).
    static func baseURL(_ req: Request) -> String {
        let proto = API.header(req, "X-Forwarded-Proto") ?? "http"
        let host = API.header(req, "X-Forwarded-Host") ?? req.head.authority ?? "localhost:8080"
        return "\(proto)://\(host)"
    }

    static func catalog(runtime: Runtime, baseURL: String, owner: String) async -> Reply {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let retired = await runtime.retiredDefinitions
        var docs: [Value] = [[
            "apiVersion": "backstage.io/v1alpha1", "kind": "API",
            "metadata": ["name": "swift-bpm-api", "title": "swift-bpm process API", "description": "Start, steer and inspect process instances; tasks, jobs, incidents.",
                         "links": [["url": .string(base + "/openapi.json"), "title": "OpenAPI document"],
                                   ["url": .string(base + "/ui/api"), "title": "API reference (readable)"]]],
            "spec": ["type": "openapi", "lifecycle": "production", "owner": .string(owner), "definition": ["$text": .string(base + "/openapi.json")]],
        ]]
        for (def, version) in await runtime.registry.all where !retired.contains(def.id) {
            let id = def.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? def.id
            var tags: [Value] = ["bpm", .string(tag(def.sourceFile.hasSuffix(".bpmn") || def.sourceFile.hasSuffix(".bpmn2") ? "bpmn" : "yaml"))]
            if let t = def.trigger { tags.append(.string(tag("trigger-" + t.kind.rawValue))) }
            var annotations: [String: Value] = ["swift-bpm/definition-id": .string(def.id), "swift-bpm/version": .string(String(version)),
                                                "swift-bpm/api": .string("\(base)/definitions/\(id)")]
            if let topic = def.trigger?.topic { annotations["swift-bpm/topic"] = .string(topic) }
            let metadata: [String: Value] = [
                "name": .string(entityName(def.id)), "title": .string(def.name),
                "description": .string(description(def)),
                "annotations": .context(annotations), "tags": .list(tags), "links": links(def.id, base: base),
            ]
            docs.append([
                "apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": .context(metadata),
                "spec": ["type": "business-process", "lifecycle": "production", "owner": .string(owner), "consumesApis": ["swift-bpm-api"]],
            ])
        }
        let text = docs.map { "---\n" + yaml($0, indent: 0) }.joined()
        return Reply(contentType: "application/yaml; charset=utf-8", text)
    }

    /// The definition's own description (YAML `description`, BPMN `documentation`), or one made
    /// from what it is: its format, trigger and element count.
    static func description(_ def: ProcessDefinition) -> String {
        if let d = def.description?.trimmingCharacters(in: .whitespacesAndNewlines), !d.isEmpty { return d }
        let format = def.sourceFile.hasSuffix(".bpmn") || def.sourceFile.hasSuffix(".bpmn2") ? "BPMN" : "YAML"
        let trigger = def.trigger.map { t in " started by \(t.kind.rawValue)" + (t.topic.map { " on '\($0)'" } ?? "") }
        return "\(def.name): a \(format) process\(trigger ?? "") with \(def.elements.count) elements."
    }

    /// The entity's links: its pages in the web UI first (definition, instances, editor), then the API's.
    static func links(_ raw: String, base: String) -> Value {
        let id = raw.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? raw
        let allowed = CharacterSet.urlQueryAllowed.subtracting(["&", "=", "+"])
        let query = raw.addingPercentEncoding(withAllowedCharacters: allowed) ?? raw
        let ui: [(String, String)] = [
            ("/ui/definitions/\(id)", "Process page (diagram, where instances wait)"),
            ("/ui/instances?definitionId=\(query)", "Instances"),
            ("/ui/definitions/\(id)/edit", "Edit the definition"),
            ("/definitions/\(id)", "Definition in the API (flow, elements)"),
            ("/definitions/\(id)/versions", "Versions (API)"),
        ]
        return .list(ui.map { ["url": .string(base + $0.0), "title": .string($0.1)] })
    }

    /// Block-style YAML; strings double-quoted (JSON escapes are valid YAML), keys sorted.
    static func yaml(_ v: Value, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch v {
        case .context(let c):
            return c.keys.sorted().map { k in
                let x = c[k]!
                switch x {
                case .context(let cc) where !cc.isEmpty: return "\(pad)\(k):\n" + yaml(x, indent: indent + 2)
                case .list(let l) where !l.isEmpty: return "\(pad)\(k):\n" + yaml(x, indent: indent + 2)
                default: return "\(pad)\(k): \(scalar(x))\n"
                }
            }.joined()
        case .list(let l):
            return l.map { x in
                if case .context(let cc) = x, !cc.isEmpty {
                    let inner = yaml(x, indent: indent + 2)
                    return pad + "- " + inner.dropFirst(indent + 2)
                }
                return "\(pad)- \(scalar(x))\n"
            }.joined()
        default:
            return pad + scalar(v) + "\n"
        }
    }

    static func scalar(_ v: Value) -> String {
        switch v {
        case .context: return "{}"
        case .list: return "[]"
        default: return JSON.encode(v)
        }
    }
}
