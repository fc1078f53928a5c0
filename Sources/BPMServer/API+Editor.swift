import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Hummingbird

/// What the definition editor asks without deploying: the check `bpm validate` makes, the diagram of a text,
/// and a run of it on a simulated clock (`bpm run`'s engine).
extension API {
    /// The format a request names (`?format=`), or from its Content-Type (XML), or nil: sniffed from the text.
    static func format(_ req: Request, contentType: String?, allowed: [String]) throws -> String? {
        if let f = req.uri.queryParameters.get("format") {
            guard allowed.contains(f) else {
                throw Problem(.badRequest, "invalid-parameter", "Invalid parameter",
                              "format must be one of \(allowed.joined(separator: ", ")), not '\(f)'")
            }
            return f
        }
        // a YAML type says YAML; XML is BPMN or DMN, which the text tells
        return contentType?.lowercased().contains("yaml") == true ? "yaml" : nil
    }

    /// A body is required (as for deploying): an empty one is a bad request, one of blanks a text with a problem.
    static func requireText(_ body: String) throws {
        guard body.isEmpty else { return }
        throw Problem(.badRequest, "empty-body", "Empty body", "send the definition's YAML or BPMN as the request body")
    }

    static func problemView(_ e: DefinitionError) -> Value {
        ["line": .number(Double(e.location.line)), "column": .number(Double(e.location.column)),
         "message": .string(e.message), "severity": .string(e.isWarning ? "warning" : "error"),
         "text": .string(e.description)]
    }

    /// `POST /definitions/validate`: `{valid, format, problems, warnings, summary, definitions, decisions}`, with
    /// `?diagram=svg` the diagram of a valid process.
    func validate(_ text: String, _ req: Request, contentType: String?) throws -> Value {
        try Self.requireText(text)
        let file = req.uri.queryParameters.get("file") ?? "request"
        let format = try Self.format(req, contentType: contentType, allowed: DefinitionCheck.formats)
        let check = DefinitionCheck.run(source: text, file: file, format: format)
        var c: [String: Value] = [
            "valid": .bool(check.valid), "format": .string(check.format),
            "problems": .list(check.problems.map(Self.problemView)),
            "warnings": .list(check.warnings.map(Self.problemView)),
        ]
        if check.valid {
            c["summary"] = .string(check.summary)
            c["decisions"] = .list(check.decisions.map(Value.string))
            c["definitions"] = .list(check.definitions.map { d -> Value in
                ["id": .string(d.id), "name": .string(d.name), "executable": .bool(d.isExecutable)]
            })
        }
        if req.uri.queryParameters.get("diagram") == "svg", let svg = Self.diagram(check, text) {
            c["diagram"] = .string(svg)
        }
        return .context(c)
    }

    /// The SVG of a check's first executable process; a BPMN text that does not validate from its diagram alone.
    static func diagram(_ check: DefinitionCheck, _ text: String) -> String? {
        if let d = check.definitions.first(where: \.isExecutable) ?? check.definitions.first {
            return DiagramSVG.svg(d)
        }
        return check.format == "bpmn" ? DiagramSVG.svg(diagramOf: text) : nil
    }

    /// `POST /definitions/preview`: the diagram as SVG, 422 with the problems when there is none to draw.
    func preview(_ text: String, _ req: Request, contentType: String?) throws -> Reply {
        try Self.requireText(text)
        let format = try Self.format(req, contentType: contentType, allowed: ["yaml", "bpmn"])
        let check = DefinitionCheck.run(source: text, file: "request", format: format)
        guard let svg = Self.diagram(check, text) else {
            throw Problem(.unprocessableContent, "invalid-definition", "Invalid definition",
                          check.problems.map(\.description).joined(separator: "\n"))
        }
        return Reply(contentType: "image/svg+xml; charset=utf-8", svg)
    }

    /// `POST /definitions/test-run`: `{source, variables?, events?}` run on a simulated clock from now, connectors
    /// recorded and not called (`bpm run --dry-run`); answers `bpm run --json`'s report
    /// with the main instance's `path` (element ids in order of completion).
    func testRun(_ body: String) async throws -> Value {
        let o = try Self.object(body)
        guard let source = o["source"]?.stringValue else {
            throw Problem(.badRequest, "invalid-body", "Invalid body", "'source' must be the definition's text")
        }
        let variables = try Self.runVariables(o["variables"])
        let events = o["events"]?.listValue ?? []
        let sim: Simulation
        do {
            sim = try await Simulation(files: [(source, "request")], process: nil,
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: Date())
        } catch let e as DefinitionErrors {
            throw Problem(.unprocessableContent, "invalid-definition", "Invalid definition", e.description)
        } catch let e as Problem {
            throw e
        } catch {
            throw Problem(.unprocessableContent, "invalid-definition", "Invalid definition", "\(error)")
        }
        if events.isEmpty {
            await sim.start(variables: variables)
        } else {
            for (i, e) in events.enumerated() { await sim.deliver(event: e, extraVariables: i == 0 ? variables : [:]) }
        }
        await sim.runTimers()
        var report = sim.report.contextValue ?? [:]
        report["path"] = .list(sim.path.map(Value.string))
        await sim.runtime.shutdown()
        return .context(report)
    }

    static func runVariables(_ v: Value?) throws -> [String: Value] {
        guard let v else { return [:] }
        guard let c = v.contextValue else {
            throw Problem(.badRequest, "invalid-variables", "Invalid variables",
                          "'variables' must be a JSON object of name: value")
        }
        return c
    }
}
