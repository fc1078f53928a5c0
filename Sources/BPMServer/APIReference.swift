import Foundation

/// A readable API reference at `/ui/api`: plain HTML rendered from the served OpenAPI
/// document (operations by tag with their parameters, bodies and answers; then the schemas).
enum APIReference {
    static let html: String = {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(OpenAPI.served.utf8))) as? [String: Any],
              let paths = doc["paths"] as? [String: [String: Any]]
        else { return "<p>The OpenAPI document does not parse.</p>" }
        let info = doc["info"] as? [String: Any]
        var byTag: [String: [(path: String, method: String, op: [String: Any])]] = [:]
        for (path, ops) in paths {
            for (method, op) in ops {
                guard let op = op as? [String: Any] else { continue }
                byTag[((op["tags"] as? [String])?.first) ?? "Other", default: []].append((path, method, op))
            }
        }
        var out = """
        <h1>API reference <span class=muted>\(esc(info?["version"] as? String ?? ""))</span></h1>
        <p>\(esc(info?["description"] as? String ?? ""))</p>
        <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
        """
        let declared = OpenAPI.tags.map(\.name)
        let tags = declared + byTag.keys.filter { !declared.contains($0) }.sorted()
        out += "<nav><ul>" + tags.filter { byTag[$0] != nil }
            .map { "<li><a href=\"#tag-\(esc($0))\">\(esc($0))</a></li>" }.joined()
            + "<li><a href=\"#schemas\">Schemas</a></li></ul></nav>"
        for tag in tags {
            guard let ops = byTag[tag] else { continue }
            let description = OpenAPI.tags.first { $0.name == tag }?.description ?? ""
            out += "<h2 id=\"tag-\(esc(tag))\">\(esc(tag))</h2><p class=muted>\(esc(description))</p>"
            for o in ops.sorted(by: { ($0.path, $0.method) < ($1.path, $1.method) }) {
                out += operation(o.path, o.method, o.op)
            }
        }
        out += "<h2 id=\"schemas\">Schemas</h2>"
        let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        for name in schemas.keys.sorted() {
            out += "<h3 id=\"schema-\(esc(name))\">\(esc(name))</h3><pre>\(esc(json(schemas[name] ?? [:])))</pre>"
        }
        return out
    }()

    static func operation(_ path: String, _ method: String, _ op: [String: Any]) -> String {
        let id = op["operationId"] as? String ?? ""
        var out = "<section class=op id=\"op-\(esc(id))\"><h3><code>\(esc(method.uppercased())) \(esc(path))</code>"
        out += " <span class=muted>\(esc(id))</span></h3><p>\(esc(op["summary"] as? String ?? ""))</p>"
        if let params = op["parameters"] as? [[String: Any]], !params.isEmpty {
            out += "<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>"
            for p in params {
                let ref = (p["$ref"] as? String).map { String($0.split(separator: "/").last ?? "") }
                let name = p["name"] as? String ?? ref ?? ""
                out += "<tr><td><code>\(esc(name))</code>\((p["required"] as? Bool) == true ? " *" : "")</td>"
                out += "<td>\(esc(p["in"] as? String ?? "path"))</td>"
                out += "<td><code>\(esc(json(p["schema"] ?? [:])))</code></td>"
                out += "<td>\(esc(p["description"] as? String ?? ""))</td></tr>"
            }
            out += "</table>"
        }
        if let body = op["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any] {
            for (type, media) in content.sorted(by: { $0.key < $1.key }) {
                let schema = (media as? [String: Any])?["schema"] ?? [:]
                let required = (body["required"] as? Bool) == true ? " (required)" : ""
                out += "<p>body <code>\(esc(type))</code>\(required):</p>"
                out += "<pre>\(esc(json(schema)))</pre>"
            }
        }
        if let responses = op["responses"] as? [String: Any] {
            out += "<p>answers: " + responses.keys.sorted().map { code in
                let r = responses[code] as? [String: Any]
                let problem = (r?["$ref"] as? String)?.hasSuffix("Problem") == true
                let what = r?["description"] as? String ?? (problem ? "problem details" : "")
                return "<b>\(esc(code))</b> \(esc(what))"
            }.joined(separator: " · ") + "</p>"
        }
        return out + "</section>"
    }

    static func json(_ v: Any) -> String {
        guard JSONSerialization.isValidJSONObject(v) || v is String || v is NSNumber,
              let d = try? JSONSerialization.data(withJSONObject: v,
                                                  options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\(v)" }
        return String(decoding: d, as: UTF8.self)
    }

    static func esc(_ s: String) -> String { DiagramSVG.esc(s) }
}
