import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// The list queries (instances, incidents) and the incident actions.
extension API {
    func instances(_ req: Request) async throws -> Value {
        let q = req.uri.queryParameters
        var query = InstanceQuery(limit: try Self.int(q.get("limit"), "limit", default: 50, max: 1000),
                                  offset: try Self.int(q.get("offset"), "offset", default: 0, max: Int.max))
        query.definitionId = q.get("definitionId")
        if let s = q.get("status") {
            guard let st = InstanceStatus(rawValue: s) else {
                let all = InstanceStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "status must be one of \(all)")
            }
            query.status = st
        }
        query.correlationKey = q.get("correlationKey")
        query.businessKey = q.get("businessKey")
        if let v = q.get("definitionVersion") {
            guard let n = Int(v), n > 0 else {
                throw Problem(.badRequest, "invalid-parameter", "Invalid parameter",
                              "'definitionVersion' must be a version number, got '\(v)'")
            }
            query.definitionVersion = n
        }
        if let s = try Self.oneOf(q.get("sort"), "sort", InstanceSort.allCases.map(\.rawValue)) {
            query.sort = InstanceSort(rawValue: s) ?? .started
        }
        query.ascending = try Self.oneOf(q.get("order"), "order", ["asc", "desc"]) == "asc"
        query.startedAfter = try Self.date(q.get("startedAfter"), "startedAfter")
        query.startedBefore = try Self.date(q.get("startedBefore"), "startedBefore")
        // var.NAME=VALUE or var[NAME]=VALUE (the OpenAPI deepObject form): VALUE as JSON when
        // it parses (numbers, true/false, quoted strings), else text
        for (rawKey, v) in q {
            let k = String(rawKey).removingPercentEncoding ?? String(rawKey)
            let name: Substring
            if k.hasPrefix("var."), k.count > 4 {
                name = k.dropFirst(4)
            } else if k.hasPrefix("var[") {
                let inner = k.dropFirst(4).dropLast()
                guard k.hasSuffix("]"), !inner.contains("["), !inner.contains("]") else {
                    throw Problem(.badRequest, "invalid-parameter", "Invalid parameter",
                                  "'var[NAME]' takes one variable name (variables are matched at the top level), "
                                      + "got '\(k)'")
                }
                name = inner
            } else {
                continue
            }
            let text = String(v).removingPercentEncoding ?? String(v)
            query.variables[String(name)] = (try? JSON.parse(text)) ?? .string(text)
        }
        return .context(["items": .list(try await runtime.store.instances(query).map(Views.summary)),
                         "limit": .number(Double(query.limit)), "offset": .number(Double(query.offset))])
    }

    /// Incidents, open by default, filtered by instance, definition, element and message text.
    func incidents(_ req: Request) async throws -> Value {
        let q = req.uri.queryParameters
        var query = IncidentQuery(limit: try Self.int(q.get("limit"), "limit", default: 1000, max: 1000),
                                  offset: try Self.int(q.get("offset"), "offset", default: 0, max: Int.max))
        query.openOnly = try Self.oneOf(q.get("status"), "status", ["open", "all"]).map { $0 != "all" } ?? true
        query.instanceId = q.get("instanceId")
        query.definitionId = q.get("definitionId")
        query.elementId = q.get("elementId")
        query.messageContains = q.get("message")
        return .context(["items": .list(try await runtime.store.incidents(query).map(Views.incident)),
                         "limit": .number(Double(query.limit)), "offset": .number(Double(query.offset))])
    }

    func retry(_ id: String) async throws -> Value {
        Views.instance(try await runtime.retryIncident(id))
    }

    /// Resolves an incident without a retry: `{"variables": {…}}` stand in for the failed
    /// activity's result.
    func resolve(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        return Views.instance(try await runtime.resolveIncident(id, variables: try variables(o)))
    }

}
