import BPMCamunda
import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMServer
import Foundation
import OpenAPIRuntime

/// Jobs: activation (long polling), completion, failure, BPMN errors, retries and timeouts. A worker token limited
/// to some job types may activate and report only jobs of those types (403 otherwise).
extension V2Handler {
    func activateJobs(_ input: Operations.ActivateJobs.Input) async throws -> Operations.ActivateJobs.Output {
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard !b._type.isEmpty else { throw V2Problem.invalid("type must not be empty") }
        guard b.maxJobsToActivate > 0 else { throw V2Problem.invalid("maxJobsToActivate must be at least 1") }
        guard b.timeout > 0 else { throw V2Problem.invalid("timeout must be positive (ms the jobs stay locked)") }
        try authorizeJobType(b._type)
        let request = CamundaActivateJobs(type: b._type, worker: b.worker ?? "", timeout: b.timeout,
                                          maxJobsToActivate: b.maxJobsToActivate, fetchVariable: b.fetchVariable ?? [],
                                          requestTimeout: b.requestTimeout ?? 0, tenantIds: b.tenantIds ?? [])
        let jobs = try await gateway.activateJobs(request)
        return .ok(.init(body: .json(.init(jobs: try jobs.map(Self.activated)))))
    }

    static func activated(_ j: CamundaActivatedJob) throws -> Components.Schemas.ActivatedJobResult {
        .init(_type: j.type, processDefinitionId: j.bpmnProcessId, processDefinitionVersion: j.processDefinitionVersion,
              elementId: j.elementId, customHeaders: .init(additionalProperties: j.customHeaders), worker: j.worker,
              retries: j.retries, deadline: j.deadline,
              variables: .init(additionalProperties: try V2.object(j.variables)),
              tenantId: j.tenantId, jobKey: V2.string(j.key), processInstanceKey: V2.string(j.processInstanceKey),
              processDefinitionKey: V2.string(j.processDefinitionKey),
              elementInstanceKey: V2.string(j.elementInstanceKey), kind: .init(rawValue: j.kind) ?? .bpmnElement,
              listenerEventType: .init(rawValue: j.listenerEventType) ?? .unspecified,
              userTask: try Self.userTask(j), tags: [], rootProcessInstanceKey: V2.nullable(j.processInstanceKey))
    }

    /// A task listener job's `userTask`: the task's key and the transition (`action`); null for other jobs.
    static func userTask(_ j: CamundaActivatedJob) throws -> OpenAPIValueContainer {
        guard let key = j.userTaskKey else { return try OpenAPIValueContainer(unvalidatedValue: nil) }
        let action: [String: String] = ["ASSIGNING": "assign", "COMPLETING": "complete", "CREATING": "create"]
        return try OpenAPIValueContainer(unvalidatedValue: [
            "userTaskKey": V2.string(key), "action": action[j.listenerEventType] ?? "",
        ])
    }

    /// A completion's `result` as the engine takes it (type userTask; another type is 400).
    static func result(_ r: Components.Schemas.JobResult?) throws -> UserTaskJobResult? {
        guard let r else { return nil }
        if let type = r._type, type != "userTask" {
            throw V2Problem.invalid("job result type '\(type)' is not supported (userTask is)")
        }
        var out = UserTaskJobResult(denied: r.denied ?? false, deniedReason: r.deniedReason)
        guard let c = r.corrections else { return out }
        if let v = c.assignee { out.corrections["assignee"] = .string(v) }
        if let v = c.dueDate { out.corrections["dueDate"] = .string(v) }
        if let v = c.followUpDate { out.corrections["followUpDate"] = .string(v) }
        if let v = c.candidateUsers { out.corrections["candidateUsers"] = .list(v.map(Value.string)) }
        if let v = c.candidateGroups { out.corrections["candidateGroups"] = .list(v.map(Value.string)) }
        if let v = c.priority {
            guard (0...100).contains(v) else { throw V2Problem.invalid("corrections.priority must be 0 to 100") }
            out.corrections["priority"] = .number(Double(v))
        }
        return out
    }

    func completeJob(_ input: Operations.CompleteJob.Input) async throws -> Operations.CompleteJob.Output {
        let key = try V2.key(input.path.jobKey, "jobKey")
        var variables: CamundaVariables = [:]
        var result: UserTaskJobResult?
        var adHoc: AdHocJobResult?
        if case .json(let b) = input.body {
            if let r = b.result, Self.isAdHoc(r) {
                adHoc = try Self.adHocResult(r)
            } else {
                result = try Self.result(b.result)
            }
            variables = try V2.variables(b.variables?.additionalProperties)
        }
        try await authorizeJob(key)
        try await gateway.completeJob(key: key, variables: variables, result: result, adHocResult: adHoc)
        return .noContent(.init())
    }

    /// Whether a result is an ad-hoc sub-process's (typed so, or with one of its members set).
    static func isAdHoc(_ r: Components.Schemas.JobResult) -> Bool {
        r._type == "adHocSubProcess" || r.activateElements != nil || r.isCompletionConditionFulfilled != nil
            || r.isCancelRemainingInstances != nil
    }

    /// A job result for an ad-hoc sub-process's job (`JobResult`, type adHocSubProcess).
    static func adHocResult(_ r: Components.Schemas.JobResult) throws -> AdHocJobResult {
        do {
            try AdHocJobResult.checkType(r._type, present: r._type != nil)
        } catch {
            throw V2Problem.invalid(error.description)
        }
        let activations = try (r.activateElements ?? []).map { a in
            guard !a.elementId.isEmpty else {
                throw V2Problem.invalid("result.activateElements[].elementId must not be empty")
            }
            return AdHocJobResult.Activation(elementId: a.elementId,
                                             variables: try V2.variables(a.variables?.additionalProperties))
        }
        return AdHocJobResult(activateElements: activations,
                              isCompletionConditionFulfilled: r.isCompletionConditionFulfilled ?? false,
                              isCancelRemainingInstances: r.isCancelRemainingInstances ?? false)
    }

    func failJob(_ input: Operations.FailJob.Input) async throws -> Operations.FailJob.Output {
        let key = try V2.key(input.path.jobKey, "jobKey")
        var request = CamundaFailJob(jobKey: key, retries: 0)
        if case .json(let b) = input.body {
            if let r = b.retries, r < 0 { throw V2Problem.invalid("retries must not be negative") }
            if let r = b.retryBackOff, r < 0 { throw V2Problem.invalid("retryBackOff must not be negative") }
            request = CamundaFailJob(jobKey: key, retries: b.retries ?? 0, errorMessage: b.errorMessage ?? "",
                                     retryBackOff: b.retryBackOff ?? 0,
                                     variables: try V2.variables(b.variables?.additionalProperties))
        }
        try await authorizeJob(key)
        try await gateway.failJob(request)
        return .noContent(.init())
    }

    func throwJobError(_ input: Operations.ThrowJobError.Input) async throws -> Operations.ThrowJobError.Output {
        let key = try V2.key(input.path.jobKey, "jobKey")
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard !b.errorCode.isEmpty else { throw V2Problem.invalid("errorCode must not be empty") }
        try await authorizeJob(key)
        try await gateway.throwError(CamundaThrowError(jobKey: key, errorCode: b.errorCode,
                                                       errorMessage: b.errorMessage ?? "",
                                                       variables: try V2.variables(b.variables?.additionalProperties)))
        return .noContent(.init())
    }

    func updateJob(_ input: Operations.UpdateJob.Input) async throws -> Operations.UpdateJob.Output {
        let key = try V2.key(input.path.jobKey, "jobKey")
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        let c = b.changeset
        guard c.retries != nil || c.timeout != nil else {
            throw V2Problem.invalid("the changeset needs retries or timeout")
        }
        if let r = c.retries, r < 0 { throw V2Problem.invalid("retries must not be negative") }
        if let t = c.timeout, t < 0 { throw V2Problem.invalid("timeout must not be negative") }
        if let r = c.retries { try await gateway.updateJobRetries(key: key, retries: r) }
        if let t = c.timeout { try await gateway.updateJobTimeout(key: key, timeout: t) }
        return .noContent(.init())
    }

    // MARK: worker job types

    /// With auth on: a worker limited to some job types may handle only those.
    func authorizeJobType(_ type: String) throws {
        guard let caller = Auth.caller, let types = caller.jobTypes, !types.contains(type) else { return }
        throw V2Problem(.forbidden, "FORBIDDEN",
                        "worker \(caller.user) may handle job types [\(types.sorted().joined(separator: ", "))], "
                            + "not '\(type)'")
    }

    /// The job type check for a job named by its key (an unknown key is left to the operation: 404).
    func authorizeJob(_ key: CamundaKey) async throws {
        guard Auth.caller?.jobTypes != nil else { return }
        guard let ref = try await gateway.keys.ref(key), ref.kind == .job,
              let (job, _) = try await gateway.runtime.store.job(ref.id) else { return }
        try authorizeJobType(job.action)
    }
}
