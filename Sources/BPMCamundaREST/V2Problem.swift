import BPMCamunda
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// A REST v2 error as Camunda answers it: an RFC 9457 problem detail with `type`, `title` (the error's code, e.g.
/// `NOT_FOUND`, `INVALID_ARGUMENT`), `status`, `detail` and `instance` (the request path).
struct V2Problem: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var title: String
    var detail: String

    init(_ status: HTTPResponse.Status, _ title: String, _ detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    static func invalid(_ detail: String) -> V2Problem { V2Problem(.badRequest, "INVALID_ARGUMENT", detail) }

    var description: String { "\(status.code) \(title): \(detail)" }

    /// The facade's error codes as the HTTP statuses Camunda's REST gateway uses.
    init(_ error: CamundaError) {
        switch error.code {
        case .notFound: self.init(.notFound, "NOT_FOUND", error.message)
        case .invalidArgument: self.init(.badRequest, "INVALID_ARGUMENT", error.message)
        case .failedPrecondition: self.init(.conflict, "INVALID_STATE", error.message)
        case .alreadyExists: self.init(.conflict, "ALREADY_EXISTS", error.message)
        case .resourceExhausted: self.init(.serviceUnavailable, "RESOURCE_EXHAUSTED", error.message)
        case .deadlineExceeded: self.init(.gatewayTimeout, "DEADLINE_EXCEEDED", error.message)
        case .unauthenticated: self.init(.unauthorized, "UNAUTHORIZED", error.message)
        case .permissionDenied: self.init(.forbidden, "FORBIDDEN", error.message)
        case .unimplemented: self.init(.notImplemented, "NOT_IMPLEMENTED", error.message)
        case .internal: self.init(.internalServerError, "INTERNAL", error.message)
        }
    }

    /// The problem for any error a handler or the generated code throws: request bodies and parameters that do
    /// not decode are 400 with the decoder's explanation; anything unexpected is 500.
    static func from(_ error: any Error) -> V2Problem {
        switch error {
        case let p as V2Problem: return p
        case let e as CamundaError: return V2Problem(e)
        case let e as ServerError:
            if e.underlyingError is V2Problem || e.underlyingError is CamundaError { return from(e.underlyingError) }
            // the generated code failed to decode the request: its body, a parameter or the content type
            if e.operationInput == nil { return .invalid(describe(e.underlyingError, cause: e.causeDescription)) }
            return V2Problem(.internalServerError, "INTERNAL", "\(e.underlyingError)")
        case let e as DecodingError: return .invalid(describe(e, cause: ""))
        default: return V2Problem(.internalServerError, "INTERNAL", "\(error)")
        }
    }

    private static func describe(_ error: any Error, cause: String) -> String {
        guard let d = error as? DecodingError else { return cause.isEmpty ? "\(error)" : "\(cause): \(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : "'\(p)'"
        }
        switch d {
        case .keyNotFound(let key, let c):
            let inner = c.codingPath.isEmpty ? "" : " in \(path(c))"
            return "the request needs the field '\(key.stringValue)'\(inner)"
        case .typeMismatch(let type, let c): return "\(path(c)) must be \(typeName(type)): \(c.debugDescription)"
        case .valueNotFound(let type, let c): return "\(path(c)) must be \(typeName(type)), not null"
        case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(d)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.contains("Int") { return "an integer" }
        if name.contains("String") { return "a string" }
        if name.contains("Bool") { return "a boolean" }
        if name.contains("Dictionary") || name.contains("Container") { return "an object" }
        if name.contains("Array") { return "a list" }
        return name
    }

    /// The problem as a JSON body.
    func body(instance: String) -> Data {
        let object: [String: Any] = ["type": "about:blank", "title": title, "status": Int(status.code),
                                     "detail": detail, "instance": instance]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}

/// Turns every error of a v2 operation into Camunda's problem detail (`application/problem+json`).
struct V2ProblemMiddleware: ServerMiddleware {
    /// The largest request body read (deployments included).
    static let maxBody = 64 << 20

    /// An empty body is none: clients send one (with or without a JSON content type) to operations whose body is
    /// optional, and the generated code would try to decode it. A body of unknown length is read to find out.
    static func nonEmpty(_ body: HTTPBody?) async throws -> HTTPBody? {
        guard let body else { return nil }
        switch body.length {
        case .known(0): return nil
        case .known: return body
        case .unknown:
            let data = try await Data(collecting: body, upTo: maxBody)
            return data.isEmpty ? nil : HTTPBody(data)
        }
    }

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws
                       -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?)
    {
        do {
            return try await next(request, try await Self.nonEmpty(body), metadata)
        } catch {
            let problem = V2Problem.from(error)
            let path = request.path.map { String($0.split(separator: "?", maxSplits: 1)[0]) } ?? ""
            var headers = HTTPFields()
            headers[.contentType] = "application/problem+json"
            return (HTTPResponse(status: problem.status, headerFields: headers),
                    HTTPBody(problem.body(instance: path)))
        }
    }
}
