import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Hummingbird

/// An RFC 9457 problem-details error response.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    /// A short slug naming the kind of problem (`unknown-instance`, `invalid-json`, …).
    public var kind: String
    public var title: String
    public var detail: String
    public var extra: [String: Value] = [:]

    public init(_ status: HTTPResponse.Status, _ kind: String, _ title: String, _ detail: String, extra: [String: Value] = [:]) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.extra = extra
    }

    var body: Value {
        var c: [String: Value] = ["type": .string("urn:swift-bpm:problem:\(kind)"), "title": .string(title),
                                  "status": .number(Double(status.code)), "detail": .string(detail)]
        for (k, v) in extra { c[k] = v }
        return .context(c)
    }

    var reply: Reply { Reply(status, contentType: "application/problem+json", JSON.encode(body)) }

    var response: Response { reply.response }

    /// Maps engine, runtime and store errors to problems.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let p as Problem:
            return p
        case let e as Runtime.RuntimeError:
            switch e {
            case .unknownDefinition: return Problem(.notFound, "unknown-definition", "Definition not found", e.description)
            case .unknownInstance: return Problem(.notFound, "unknown-instance", "Instance not found", e.description)
            case .unknownTask: return Problem(.notFound, "unknown-task", "Task not found", e.description)
            case .unknownIncident: return Problem(.notFound, "unknown-incident", "Incident not found", e.description)
            case .rejected: return Problem(.conflict, "rejected", "Command rejected", e.description)
            case .retired: return Problem(.conflict, "retired-definition", "Definition retired", e.description)
            case .alreadyRunning(_, let bk, let id):
                return Problem(.conflict, "already-running", "Instance already running", e.description,
                               extra: ["instanceId": .string(id), "businessKey": .string(bk)])
            case .tooManyRunning(_, let bk, let ids):
                return Problem(.conflict, "too-many-running", "Too many instances running", e.description,
                               extra: ["instanceIds": .list(ids.map(Value.string)), "businessKey": .string(bk)])
            case .idempotencyKeyReused:
                return Problem(.unprocessableContent, "idempotency-key-reused", "Idempotency key reused", e.description)
            case .runaway:
                return Problem(.unprocessableContent, "runaway-loop", "Processes loop without waiting", e.description)
            case .invalidInput(let what, let problems):
                return Problem(.unprocessableContent, "invalid-input", "Invalid input", "\(what): " + problems.joined(separator: "; "),
                               extra: ["errors": .list(problems.map(Value.string))])
            }
        case let e as CommandRejection:
            return Problem(.conflict, "rejected", "Command rejected", e.description)
        case let e as DefinitionErrors:
            return Problem(.unprocessableContent, "invalid-definition", "Invalid definition",
                           "\(e.errors.count) problem(s) in the definition",
                           extra: ["errors": .list(e.errors.map { .context(["location": .string($0.location.description), "line": .number(Double($0.location.line)), "column": .number(Double($0.location.column)), "message": .string($0.message)]) })])
        case let e as StoreError:
            switch e {
            case .conflict, .offsetConflict: return Problem(.conflict, "concurrent-update", "Concurrent update", e.description)
            case .unavailable: return Problem(.serviceUnavailable, "store-unavailable", "Store unavailable", e.description)
            }
        default:
            return Problem(.serviceUnavailable, "internal", "Request could not be completed", "\(error)")
        }
    }
}
