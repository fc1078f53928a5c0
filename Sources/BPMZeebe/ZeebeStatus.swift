import BPMCamunda
import BPMExpressions
import Foundation
import GRPCCore

/// How the gateway answers failures: the gRPC status codes Zeebe's gateway uses, one per
/// `CamundaError` code (docs/zeebe-grpc.md, "Status codes").
enum ZeebeStatus {
    static func code(_ code: CamundaError.Code) -> RPCError.Code {
        switch code {
        case .notFound: .notFound
        case .invalidArgument: .invalidArgument
        case .failedPrecondition: .failedPrecondition
        case .alreadyExists: .alreadyExists
        case .resourceExhausted: .resourceExhausted
        case .deadlineExceeded: .deadlineExceeded
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .unimplemented: .unimplemented
        case .internal: .internalError
        }
    }

    static func rpcError(_ error: CamundaError) -> RPCError {
        RPCError(code: code(error.code), message: error.message)
    }

    /// Runs one RPC's body: facade errors become their status; anything else is INTERNAL
    /// (RPCErrors pass through as they are).
    static func answering<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CamundaError {
            throw rpcError(error)
        } catch let error as RPCError {
            throw error
        } catch is CancellationError {
            throw RPCError(code: .cancelled, message: "the call was cancelled")
        } catch {
            throw RPCError(code: .internalError, message: "\(error)")
        }
    }
}

/// The JSON documents the protocol carries in string fields.
enum ZeebeJSON {
    /// A `variables` field: empty, or a JSON object; anything else is INVALID_ARGUMENT naming
    /// the field, as Zeebe answers.
    static func variables(_ text: String, field: String = "variables") throws -> CamundaVariables {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "null" { return [:] }
        let value: Value
        do { value = try JSON.parse(trimmed) } catch {
            throw RPCError(code: .invalidArgument, message: "\(field) is not valid JSON: \(error)")
        }
        guard case .context(let object) = value else {
            throw RPCError(code: .invalidArgument,
                           message: "\(field) must be a JSON object, not '\(trimmed.prefix(40))'")
        }
        return object
    }

    static func encode(_ variables: CamundaVariables) -> String { JSON.encode(variables) }

    static func encode(_ value: Value) -> String { JSON.encode(value) }

    static func encode(_ headers: [String: String]) -> String { JSON.encode(headers.mapValues(Value.string)) }
}
