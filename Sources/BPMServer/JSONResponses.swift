import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// JSON views of engine records, as the API returns them.
enum Views {
    static func instance(_ s: InstanceState) -> Value {
        var c: [String: Value] = [
            "id": .string(s.id), "definitionId": .string(s.definitionId), "definitionVersion": .number(Double(s.definitionVersion)),
            "status": .string(s.status.rawValue), "variables": .context(s.variables),
            "currentActivities": .list(s.currentActivities.map(Value.string)),
            "waitingAt": .list(s.tokens.map { .context(["elementId": .string($0.elementId), "waitingFor": .string($0.wait.kind)]) }),
            "incidents": .list(s.incidents.map(\.value)), "startedAt": .string(Coding.iso(s.startedAt)),
        ]
        if let k = s.correlationKey { c["correlationKey"] = .string(k) }
        if let b = s.businessKey { c["businessKey"] = .string(b) }
        if let e = s.endedAt { c["completedAt"] = .string(Coding.iso(e)) }
        if let e = s.error { c["error"] = .context(["code": .string(e.code), "message": e.message.map(Value.string) ?? .null]) }
        return .context(c)
    }

    static func summary(_ s: InstanceSummary) -> Value {
        var c: [String: Value] = [
            "id": .string(s.id), "definitionId": .string(s.definitionId), "definitionVersion": .number(Double(s.definitionVersion)),
            "status": .string(s.status.rawValue), "startedAt": .string(Coding.iso(s.startedAt)),
            "currentActivities": .list((s.currentActivity?.split(separator: ",").map { .string(String($0)) }) ?? []),
        ]
        if let k = s.correlationKey { c["correlationKey"] = .string(k) }
        if let b = s.businessKey { c["businessKey"] = .string(b) }
        if let e = s.completedAt { c["completedAt"] = .string(Coding.iso(e)) }
        return .context(c)
    }

    static func definition(_ d: ProcessDefinition, version: Int) -> Value {
        var c: [String: Value] = ["id": .string(d.id), "name": .string(d.name), "version": .number(Double(version)),
                                  "elements": .number(Double(d.elements.count))]
        if let v = d.versionLabel { c["versionLabel"] = .string(v) }
        if let t = d.trigger {
            var tc: [String: Value] = ["type": .string(t.kind.rawValue)]
            if let s = t.source { tc["source"] = .string(s) }
            if let topic = t.topic { tc["topic"] = .string(topic) }
            if let cond = t.condition { tc["condition"] = .string(cond.source.trimmingCharacters(in: .whitespacesAndNewlines)) }
            c["trigger"] = .context(tc)
        }
        if let k = d.correlationKey { c["correlationKey"] = .string(k.source) }
        return .context(c)
    }

    static func incident(_ r: IncidentRecord) -> Value {
        var v = r.incident.value.contextValue ?? [:]
        v["status"] = .string(r.resolvedAt == nil ? "open" : "resolved")
        if let at = r.resolvedAt { v["resolvedAt"] = .string(Coding.iso(at)) }
        return .context(v)
    }

    static func log(_ l: LogRecord) -> Value {
        var c: [String: Value] = ["id": .string(l.id), "instanceId": .string(l.instanceId), "elementId": .string(l.elementId),
                                  "level": .string(l.level), "message": .string(l.message), "createdAt": .string(Coding.iso(l.createdAt))]
        if let d = l.data { c["data"] = d }
        return .context(c)
    }
}

/// An answer of the API: its status, headers and body text. The generated routes of the
/// OpenAPI document hand it back as is (see `OwnAPIMiddleware`); hand-written routes send it as a `Response`.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    init(_ status: HTTPResponse.Status = .ok, contentType: String, _ body: String) {
        self.status = status
        headers = HTTPFields()
        headers[.contentType] = contentType
        self.body = body
    }

    static func json(_ value: Value, status: HTTPResponse.Status = .ok) -> Reply {
        Reply(status, contentType: "application/json", JSON.encode(value))
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Response {
    static func json(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        Reply.json(value, status: status).response
    }
}
