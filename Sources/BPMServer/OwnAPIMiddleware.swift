import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// One request to an operation of our own API as the handlers see it beside the generated input: the request
/// (its query and headers, which the handlers read as before) and its body as text, and the reply a handler gives.
final class OwnAPIExchange: @unchecked Sendable {
    @TaskLocal static var current: OwnAPIExchange?

    let request: Request
    let body: String
    private let lock = NSLock()
    private var answer: Reply?

    init(request: Request, body: String) {
        self.request = request
        self.body = body
    }

    var reply: Reply? {
        get { lock.withLock { answer } }
        set { lock.withLock { answer = newValue } }
    }
}

/// The middleware of every generated operation of our own API (Sources/BPMAPI/openapi.yaml):
/// - reads the body within its limit (413 as before), reads an empty JSON body as `{}` (as the handlers always
///   did) and hands a body whose Content-Type is not the documented one to the generated code as the documented
///   type: the handlers read JSON and definitions whatever the header says (`curl -d` sends a form type);
/// - sends the handler's `Reply` (status, headers, body bytes exactly as the view functions write them);
/// - turns every error into an RFC 9457 problem: the handlers' `Problem`s as they are, and a request the generated
///   code does not decode (a parameter or body against the document) into the 400 the handlers answered before.
struct OwnAPIMiddleware: ServerMiddleware {
    let api: API

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws
                       -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?)
    {
        var raw = ""
        do {
            raw = try await read(body, operationID)
            var request = request
            var forwarded: HTTPBody?
            if let types = OpenAPI.bodyTypes[operationID] {
                if !types.contains(where: { request.headerFields[.contentType]?.hasPrefix($0) == true }) {
                    request.headerFields[.contentType] = types[0]
                }
                let json = types == ["application/json"]
                forwarded = HTTPBody(json && raw.allSatisfy(\.isWhitespace) ? "{}" : raw)
            }
            let exchange = OwnAPIExchange(request: Request(head: request, body: .init(buffer: ByteBuffer())),
                                          body: raw)
            let (head, payload) = try await OwnAPIExchange.$current.withValue(exchange) {
                try await next(request, forwarded, metadata)
            }
            guard let reply = exchange.reply else { return (head, payload) }
            return Self.send(reply)
        } catch {
            let query = Request(head: request, body: .init(buffer: ByteBuffer()))
            let p = await problem(error, operationID: operationID, body: raw, query: query, metadata: metadata)
            return Self.send(p.reply)
        }
    }

    func read(_ body: HTTPBody?, _ operationID: String) async throws -> String {
        guard let body else { return "" }
        let (limit, option) = api.bodyLimit(definition: Self.definitionBodies.contains(operationID))
        do {
            return String(decoding: try await Data(collecting: body, upTo: limit), as: UTF8.self)
        } catch {
            throw API.tooLarge(limit, option)
        }
    }

    /// The operations whose body is a definition (or holds one): the definition size limit applies.
    static let definitionBodies: Set = ["deployDefinition", "validateDefinition", "previewDefinition", "testRunDefinition"]

    static func send(_ reply: Reply) -> (HTTPResponse, HTTPBody?) {
        (HTTPResponse(status: reply.status, headerFields: reply.headers), HTTPBody(reply.body))
    }

    /// The problem for an error of an operation: a handler's own, or the generated code's refusal of the request.
    func problem(_ error: any Error, operationID: String, body: String, query: Request,
                 metadata: ServerRequestMetadata) async -> Problem
    {
        guard let e = error as? ServerError else { return Problem.from(error) }
        if e.operationInput != nil || e.underlyingError is Problem { return Problem.from(e.underlyingError) }
        // the request did not decode: the body's JSON first, as the handlers checked it
        if OpenAPI.bodyTypes[operationID] == ["application/json"] {
            do { _ = try API.object(body) } catch { return Problem.from(error) }
        }
        if operationID == "runBatchOperation", let name = metadata.pathParameters["operation"] {
            do { _ = try API.batchOperation(String(name)) } catch { return Problem.from(error) }
        }
        // a read's parameters: the handler's own checks name the parameter and its bounds
        if let read = readChecks[operationID] {
            let id = metadata.pathParameters["id"].map(String.init) ?? ""
            let version = metadata.pathParameters["version"].map(String.init) ?? ""
            do { try await read(api, query, id, version) } catch { return Problem.from(error) }
        }
        return Self.refusal(e.underlyingError, operationID: operationID, cause: e.causeDescription)
    }

    /// The reads whose parameters the handlers check themselves; they change nothing, so a request the generated
    /// code refused runs them for the handlers' words.
    let readChecks: [String: @Sendable (API, Request, String, String) async throws -> Void] = [
        "listInstances": { api, req, _, _ in _ = try await api.instances(req) },
        "listTasks": { api, req, _, _ in _ = try await api.tasks(req) },
        "listIncidents": { api, req, _, _ in _ = try await api.incidents(req) },
        "diffDefinitionVersions": { api, req, id, _ in _ = try await api.diff(id, req) },
        "getDefinitionVersion": { api, _, id, version in _ = try await api.record(id, version) },
        "getDefinitionSource": { api, _, id, version in _ = try await api.record(id, version) },
    ]

    /// What the document refuses, in the words the handlers used for it.
    static func refusal(_ error: any Error, operationID: String, cause: String) -> Problem {
        guard let d = error as? DecodingError else {
            return Problem(.badRequest, "invalid-parameter", "Invalid parameter", "\(cause): \(error)")
        }
        let (path, detail) = describe(d)
        if path.first == "variables" {
            return Problem(.badRequest, "invalid-variables", "Invalid variables",
                           "'variables' must be a JSON object of name: value")
        }
        switch operationID {
        case "publishMessage": return Problem(.badRequest, "invalid-message", "Invalid message", detail)
        case "broadcastSignal": return Problem(.badRequest, "invalid-signal", "Invalid signal", detail)
        case "modifyInstance": return API.invalidModification(detail)
        default:
            // a field of the wrong type, as the handlers' field checks named it; a missing one, the body
            if OpenAPI.bodyTypes[operationID] != nil, !path.isEmpty, case .keyNotFound = d {
                return Problem(.badRequest, "invalid-body", "Invalid body", detail)
            }
            return Problem(.badRequest, "invalid-parameter", "Invalid parameter", detail)
        }
    }

    /// The coding path of a decoding error and a sentence saying what is wrong there.
    static func describe(_ error: DecodingError) -> (path: [String], detail: String) {
        func keys(_ c: DecodingError.Context) -> [String] {
            c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        }
        func name(_ p: [String]) -> String { p.isEmpty ? "the body" : "'\(p.joined(separator: "."))'" }
        switch error {
        case .keyNotFound(let key, let c):
            return (keys(c) + [key.stringValue], "\(name(keys(c) + [key.stringValue])) is required")
        case .typeMismatch(let type, let c): return (keys(c), "\(name(keys(c))) must be \(kind(type))")
        case .valueNotFound(let type, let c): return (keys(c), "\(name(keys(c))) must be \(kind(type)), not null")
        case .dataCorrupted(let c): return (keys(c), "\(name(keys(c))): \(c.debugDescription)")
        @unknown default: return ([], "\(error)")
        }
    }

    static func kind(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.contains("Int") { return "a whole number" }
        if name.contains("Double") { return "a number" }
        if name.contains("String") { return "a string" }
        if name.contains("Bool") { return "true or false" }
        if name.contains("Array") { return "a list" }
        return "an object"
    }
}

/// Dates in parameters and bodies as the handlers read them (ISO 8601, with or without fractions of a second).
struct ISODateTranscoder: DateTranscoder {
    struct Invalid: Error, CustomStringConvertible {
        var text: String
        var description: String { "'\(text)' is not an ISO 8601 date and time such as 2026-11-26T10:00:00Z" }
    }

    func encode(_ date: Date) throws -> String { Coding.iso(date) }

    func decode(_ text: String) throws -> Date {
        guard let d = ISODate.parse(text) else { throw Invalid(text: text) }
        return d
    }
}
