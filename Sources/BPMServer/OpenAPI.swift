import BPMAPI
import Foundation

/// swift-bpm's own OpenAPI 3.1 document: Sources/BPMAPI/openapi.yaml is the source; the generated code in
/// Sources/BPMAPI/Generated (scripts/generate-openapi.sh) defines the routes, and the same document as JSON is
/// served at `/openapi.json` and rendered at `/ui/api`.
enum OpenAPI {
    /// The document as served.
    static let served: String = OpenAPIDocument.json

    /// The parsed document (parsed for each use: the values below are computed once).
    static var parsed: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(served.utf8))) as? [String: Any] ?? [:]
    }

    /// The tags in the document's order, with their descriptions.
    static let tags: [(name: String, description: String)] = (parsed["tags"] as? [[String: Any]] ?? []).map {
        ($0["name"] as? String ?? "", $0["description"] as? String ?? "")
    }

    /// Each documented path's segments and methods, to tell a wrong method (405) from a
    /// missing route (404).
    static let routes: [(segments: [Substring], methods: [String])] = {
        guard let paths = parsed["paths"] as? [String: [String: Any]] else { return [] }
        return paths.map { ($0.key.split(separator: "/"), $0.value.keys.map { $0.uppercased() }.sorted()) }
    }()

    /// The methods documented for a concrete path, or nil when no documented path matches it; a path that
    /// matches a literal segment is that path's only (`/definitions/validate` is not `/definitions/{id}`).
    static func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        var found: [(parameters: Int, methods: [String])] = []
        for r in routes where r.segments.count == parts.count {
            if zip(r.segments, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) {
                found.append((r.segments.filter { $0.hasPrefix("{") }.count, r.methods))
            }
        }
        guard let fewest = found.map(\.parameters).min() else { return nil }
        return Array(Set(found.filter { $0.parameters == fewest }.flatMap(\.methods))).sorted()
    }

    /// The request body's media types of each operation that takes a body, by operationId.
    static let bodyTypes: [String: [String]] = {
        var out: [String: [String]] = [:]
        for case let ops as [String: Any] in (parsed["paths"] as? [String: Any] ?? [:]).values {
            for case let op as [String: Any] in ops.values {
                guard let id = op["operationId"] as? String,
                      let content = (op["requestBody"] as? [String: Any])?["content"] as? [String: Any]
                else { continue }
                out[id] = content.keys.sorted()
            }
        }
        return out
    }()
}
