import BPMCamunda
import BPMServer
import Foundation
import GRPCCore

/// The roles of our HTTP API applied to the gateway's RPCs (docs/zeebe-grpc.md, "Auth").
public enum ZeebeAccess {
    /// What an RPC needs; nil: anyone authenticated. Health checks need nothing (see the interceptor).
    static func role(for method: String) -> Set<Role>? {
        switch method {
        case "Topology": nil
        case "DeployResource", "DeployProcess", "DeleteResource": [.admin]
        case "ActivateJobs", "StreamActivatedJobs", "CompleteJob", "FailJob", "ThrowError", "UpdateJobTimeout":
            [.worker]
        case "UpdateJobRetries": [.worker, .operator]
        case "EvaluateDecision": [.viewer]
        default: [.operator]
        }
    }

    /// A worker limited to job types may activate only those.
    static func mayHandle(type: String) throws {
        guard let caller = Auth.caller, let types = caller.jobTypes, !types.contains(type) else { return }
        let allowed = types.sorted().joined(separator: ", ")
        throw RPCError(code: .permissionDenied,
                       message: "worker \(caller.user) may handle job types [\(allowed)], not '\(type)'")
    }

    /// … and complete, fail, and throw errors from only those (an unknown key is left to the facade).
    static func mayHandle(job key: CamundaKey, _ gateway: CamundaGateway) async throws {
        guard Auth.caller?.jobTypes != nil else { return }
        guard let ref = try await gateway.keys.ref(key), ref.kind == .job,
              let (job, _) = try await gateway.runtime.store.job(ref.id) else { return }
        try mayHandle(type: job.action)
    }
}

/// Authenticates every call but the health checks from its `authorization` metadata (`Bearer`
/// API token or JWT, as the HTTP API) and checks the role the RPC needs; the caller is then
/// `Auth.caller` for the handler (also while a streaming response is produced).
/// UNAUTHENTICATED without valid credentials, PERMISSION_DENIED without the role.
public struct ZeebeAuthInterceptor: ServerInterceptor {
    let settings: AuthSettings

    public init(settings: AuthSettings) {
        self.settings = settings
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard settings.enabled, context.descriptor.service.fullyQualifiedService != "grpc.health.v1.Health" else {
            return try await next(request, context)
        }
        let caller = try await principal(request.metadata)
        let method = context.descriptor.method
        if let needed = ZeebeAccess.role(for: method), !needed.contains(where: caller.has) {
            let roles = caller.roles.map(\.rawValue).sorted().joined(separator: ", ")
            let have = roles.isEmpty ? "none" : roles
            let want = needed.map(\.rawValue).sorted().joined(separator: " or ")
            throw RPCError(code: .permissionDenied,
                           message: "\(method) needs the role \(want); \(caller.user) has \(have)")
        }
        var response = try await Auth.$caller.withValue(caller) { try await next(request, context) }
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            contents.producer = { writer in try await Auth.$caller.withValue(caller) { try await producer(writer) } }
            response.accepted = .success(contents)
        }
        return response
    }

    func principal(_ metadata: Metadata) async throws -> Principal {
        guard let header = metadata["authorization"].first(where: { _ in true }).flatMap(Self.text),
              header.lowercased().hasPrefix("bearer ") else {
            throw RPCError(code: .unauthenticated,
                           message: "no credentials: send the metadata authorization: Bearer <token>")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        do { return try await settings.principal(token: token) } catch {
            throw RPCError(code: .unauthenticated, message: error.description)
        }
    }

    static func text(_ value: Metadata.Value) -> String? {
        if case .string(let s) = value { return s }
        return nil
    }
}
