import Foundation

/// A Camunda 8 operation's failure, with the code the adapters map to a gRPC status (Zeebe's
/// gateway) or an HTTP problem (REST v2): `notFound` → NOT_FOUND / 404, `invalidArgument` →
/// INVALID_ARGUMENT / 400, `failedPrecondition` → FAILED_PRECONDITION / 409,
/// `alreadyExists` → ALREADY_EXISTS / 409, `resourceExhausted` → RESOURCE_EXHAUSTED / 429
/// (backpressure), `deadlineExceeded` → DEADLINE_EXCEEDED / 504, `unauthenticated` →
/// UNAUTHENTICATED / 401, `permissionDenied` → PERMISSION_DENIED / 403, `unimplemented` →
/// UNIMPLEMENTED / 501, `internal` → INTERNAL / 500.
public struct CamundaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case notFound, invalidArgument, failedPrecondition, alreadyExists, resourceExhausted
        case deadlineExceeded, unauthenticated, permissionDenied, unimplemented, `internal`
    }

    public var code: Code
    /// What went wrong, in words a client shows (for definitions: `file:line:col: message` lines).
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
