import BPMCamunda
import BPMServer
import Foundation
import GRPCCore

/// The job RPCs: activation (long polling and streaming), completion, failure, BPMN errors,
/// retries and timeouts. A worker whose token names job types handles only those (`ZeebeAccess`).
extension ZeebeService {
    public func activateJobs(request: GatewayProtocol_ActivateJobsRequest,
                             response: RPCWriter<GatewayProtocol_ActivateJobsResponse>,
                             context: ServerContext) async throws {
        try await ZeebeStatus.answering {
            try Self.check(type: request.type, timeout: request.timeout)
            guard request.maxJobsToActivate > 0 else {
                throw RPCError(code: .invalidArgument, message: "maxJobsToActivate must be greater than 0")
            }
            try ZeebeAccess.mayHandle(type: request.type)
            let activation = CamundaActivateJobs(
                type: request.type, worker: request.worker, timeout: request.timeout,
                maxJobsToActivate: request.maxJobsToActivate, fetchVariable: request.fetchVariable,
                requestTimeout: Self.longPolling(request.requestTimeout), tenantIds: request.tenantIds)
            try await untilShutdown {
                let jobs = try await gateway.activateJobs(activation)
                // Zeebe answers an empty batch when the request timeout passes without a job
                try await response.write(.with { $0.jobs = jobs.map(ZeebeMessages.job) })
            }
        }
    }

    /// Zeebe's `requestTimeout`: 0 waits the default (10 s), negative answers at once; the
    /// facade's: 0 answers at once, negative waits the default.
    static func longPolling(_ requestTimeout: Int64) -> Int64 {
        requestTimeout == 0 ? -1 : (requestTimeout < 0 ? 0 : requestTimeout)
    }

    static func check(type: String, timeout: Int64) throws {
        guard !type.isEmpty else { throw RPCError(code: .invalidArgument, message: "type must not be empty") }
        guard timeout >= 0 else { throw RPCError(code: .invalidArgument, message: "timeout must not be negative") }
    }

    public func streamActivatedJobs(request: GatewayProtocol_StreamActivatedJobsRequest,
                                    response: RPCWriter<GatewayProtocol_ActivatedJob>,
                                    context: ServerContext) async throws {
        try await ZeebeStatus.answering {
            try Self.check(type: request.type, timeout: request.timeout)
            try ZeebeAccess.mayHandle(type: request.type)
            let poll = CamundaActivateJobs(
                type: request.type, worker: request.worker, timeout: request.timeout, maxJobsToActivate: 1,
                fetchVariable: request.fetchVariable, requestTimeout: 0, tenantIds: request.tenantIds)
            try await untilShutdown {
                // each job written as the HTTP/2 stream's flow control lets it
                try await gateway.streamJobs(poll) { job in try await response.write(ZeebeMessages.job(job)) }
            }
        }
    }

    public func completeJob(request: GatewayProtocol_CompleteJobRequest,
                            context: ServerContext) async throws -> GatewayProtocol_CompleteJobResponse {
        try await ZeebeStatus.answering {
            let variables = try ZeebeJSON.variables(request.variables)
            let adHoc = ZeebeJobResult.isAdHoc(request)
            let result = adHoc ? try ZeebeJobResult.adHoc(request) : nil
            try await ZeebeAccess.mayHandle(job: request.jobKey, gateway)
            try await gateway.completeJob(key: request.jobKey, variables: variables,
                                          result: adHoc ? nil : try ZeebeMessages.result(request),
                                          adHocResult: result)
            return GatewayProtocol_CompleteJobResponse()
        }
    }

    public func failJob(request: GatewayProtocol_FailJobRequest,
                        context: ServerContext) async throws -> GatewayProtocol_FailJobResponse {
        try await ZeebeStatus.answering {
            guard request.retryBackOff >= 0 else {
                throw RPCError(code: .invalidArgument, message: "retryBackOff must not be negative")
            }
            let variables = try ZeebeJSON.variables(request.variables)
            try await ZeebeAccess.mayHandle(job: request.jobKey, gateway)
            try await gateway.failJob(CamundaFailJob(jobKey: request.jobKey, retries: max(0, request.retries),
                                                     errorMessage: request.errorMessage,
                                                     retryBackOff: request.retryBackOff, variables: variables))
            return GatewayProtocol_FailJobResponse()
        }
    }

    public func throwError(request: GatewayProtocol_ThrowErrorRequest,
                           context: ServerContext) async throws -> GatewayProtocol_ThrowErrorResponse {
        try await ZeebeStatus.answering {
            guard !request.errorCode.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "errorCode must not be empty")
            }
            let variables = try ZeebeJSON.variables(request.variables)
            try await ZeebeAccess.mayHandle(job: request.jobKey, gateway)
            try await gateway.throwError(CamundaThrowError(jobKey: request.jobKey, errorCode: request.errorCode,
                                                           errorMessage: request.errorMessage, variables: variables))
            return GatewayProtocol_ThrowErrorResponse()
        }
    }

    public func updateJobRetries(request: GatewayProtocol_UpdateJobRetriesRequest,
                                 context: ServerContext) async throws -> GatewayProtocol_UpdateJobRetriesResponse {
        try await ZeebeStatus.answering {
            guard request.retries >= 1 else {
                throw RPCError(code: .invalidArgument, message: "retries must be at least 1, not \(request.retries)")
            }
            try await ZeebeAccess.mayHandle(job: request.jobKey, gateway)
            try await gateway.updateJobRetries(key: request.jobKey, retries: request.retries)
            return GatewayProtocol_UpdateJobRetriesResponse()
        }
    }

    public func updateJobTimeout(request: GatewayProtocol_UpdateJobTimeoutRequest,
                                 context: ServerContext) async throws -> GatewayProtocol_UpdateJobTimeoutResponse {
        try await ZeebeStatus.answering {
            guard request.timeout >= 0 else {
                throw RPCError(code: .invalidArgument, message: "timeout must not be negative")
            }
            try await ZeebeAccess.mayHandle(job: request.jobKey, gateway)
            try await gateway.updateJobTimeout(key: request.jobKey, timeout: request.timeout)
            return GatewayProtocol_UpdateJobTimeoutResponse()
        }
    }
}
