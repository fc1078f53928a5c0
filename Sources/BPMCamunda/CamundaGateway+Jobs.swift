import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation

extension CamundaGateway {
    /// `ActivateJobs`: locks up to `maxJobsToActivate` jobs of the type for `timeout` ms,
    /// waiting up to `requestTimeout` ms for the first (long polling; the runtime wakes the
    /// poll as soon as it commits a job of the type).
    public func activateJobs(_ request: CamundaActivateJobs) async throws -> [CamundaActivatedJob] {
        let wait = request.requestTimeout == 0 ? 10 : max(0, Self.seconds(request.requestTimeout))
        let found = try await lockJobs(request, wait: wait)
        return try await activated(found, worker: request.worker, fetch: request.fetchVariable)
    }

    /// Locks up to `maxJobsToActivate` jobs of the type, waiting up to `wait` seconds for one.
    func lockJobs(_ request: CamundaActivateJobs, wait: Double) async throws -> [Runtime.ActivatedJob] {
        guard !request.type.isEmpty else { throw CamundaError(.invalidArgument, "expected a job type") }
        guard request.maxJobsToActivate > 0 else {
            throw CamundaError(.invalidArgument, "maxJobsToActivate must be greater than 0")
        }
        guard request.timeout > 0 else {
            throw CamundaError(.invalidArgument, "the job timeout must be greater than 0")
        }
        return try await camunda {
            try await runtime.activateJobs(
                type: request.type, worker: request.worker, max: Int(request.maxJobsToActivate),
                lock: Self.seconds(request.timeout), requestTimeout: wait)
        }
    }

    /// `StreamActivatedJobs`: jobs of the type pushed to the worker as they are created (the
    /// runtime's wake-up on each commit of a job of the type), each locked for `timeout` ms,
    /// until the consumer stops the stream (cancels the task). Each round locks up to `batch`
    /// jobs, and the next round waits until `deliver` has taken them all: a slow stream's
    /// backpressure (its transport's flow control) holds back activation, so one stream does
    /// not lock jobs it cannot send while other workers wait. When the stream ends in a round
    /// (cancelled, or `deliver` fails), the jobs it has not delivered are given back at once,
    /// activatable by other workers, as Zeebe yields a job whose push failed.
    public func streamJobs(_ request: CamundaActivateJobs, batch: Int = 32,
                           deliver: (CamundaActivatedJob) async throws -> Void) async throws {
        var poll = request
        poll.maxJobsToActivate = Int32(max(1, batch))
        while !Task.isCancelled {
            let found = try await lockJobs(poll, wait: 1)  // a cancelled stream stops within a second
            var delivered = 0
            do {
                let jobs = try await activated(found, worker: request.worker, fetch: request.fetchVariable)
                for job in jobs {
                    try Task.checkCancellation()
                    try await deliver(job)
                    delivered += 1
                }
            } catch {
                await giveBack(found[delivered...].map(\.job.id), type: request.type)
                throw error
            }
        }
    }

    /// Unlocks jobs a worker took and did not get: activatable again now. Runs apart from the
    /// caller's task, which may be cancelled (the store refuses work for a cancelled task).
    func giveBack(_ ids: [String], type: String) async {
        guard !ids.isEmpty else { return }
        let runtime = self.runtime
        await Task {
            let now = runtime.clock.now()
            for id in ids { _ = try? await runtime.store.extendJobLock(id, until: now) }
            await runtime.jobsReleased(type: type)
        }.value
    }

    /// `CompleteJob`: completes an activated job with variables (merged as the job's
    /// output); `notFound` for an unknown (or already completed) job.
    /// With a `result` (a task listener's job): its denial or corrections. With an `adHocResult`
    /// (the job of an ad-hoc sub-process's job worker): the listed elements are activated and the
    /// sub-process may complete; a result naming an element it cannot activate, or given for
    /// another job, is `invalidArgument` and changes nothing.
    public func completeJob(key: CamundaKey, variables: CamundaVariables, result: UserTaskJobResult? = nil,
                            adHocResult: AdHocJobResult? = nil) async throws
    {
        let job = try await storedJob(key)
        if result != nil, job.listenerUserTask == nil {
            throw CamundaError(.invalidArgument, "job \(key) is not a task listener's: a result of type userTask "
                + "applies to task listener jobs")
        }
        try await camunda {
            if let adHocResult {
                _ = try await runtime.completeAdHocJob(job, variables: variables, result: adHocResult)
                return
            }
            let command: Command =
                result.map { .jobCompletedWithResult(jobId: job.id, output: variables, result: $0) }
                ?? .jobCompleted(jobId: job.id, output: variables)
            try await runtime.applyJobResult(job, command: command)
        }
    }

    /// A task listener job's user task key (nil for other jobs).
    func listenerTaskKey(_ job: JobRecord) async throws -> CamundaKey? {
        guard let task = job.listenerUserTask else { return nil }
        return try await keys.keys([CamundaRef(.userTask, task)]).first
    }

    /// `FailJob`: see `CamundaFailJob` (retries 0: incident JOB_NO_RETRIES with the message;
    /// more: activatable again after `retryBackOff` ms).
    public func failJob(_ request: CamundaFailJob) async throws {
        let job = try await storedJob(request.jobKey)
        let command = Command.jobFailedWithRetries(
            jobId: job.id, message: request.errorMessage, retries: Int(request.retries),
            backoff: Self.seconds(max(0, request.retryBackOff)),
            variables: request.variables)
        try await camunda { try await runtime.applyJobResult(job, command: command) }
    }

    /// `ThrowError`: a BPMN error from the job's element, caught by the nearest boundary
    /// event or event sub-process for the code (with the variables); uncaught, an incident
    /// UNHANDLED_ERROR_EVENT as Zeebe raises.
    public func throwError(_ request: CamundaThrowError) async throws {
        guard !request.errorCode.isEmpty else { throw CamundaError(.invalidArgument, "expected an error code") }
        let job = try await storedJob(request.jobKey)
        let message = request.errorMessage.isEmpty ? nil : request.errorMessage
        let command = Command.jobThrewErrorOrIncident(
            jobId: job.id, code: request.errorCode, message: message,
            variables: request.variables)
        try await camunda { try await runtime.applyJobResult(job, command: command) }
    }

    /// `UpdateJobRetries`: sets the retries left (≥ 1) of a job waiting for a worker, or of a
    /// failed one whose incident is open (resolving it then dispatches the job with them).
    public func updateJobRetries(key: CamundaKey, retries: Int32) async throws {
        guard retries > 0 else { throw CamundaError(.invalidArgument, "retries must be at least 1, got \(retries)") }
        let id = try await keys.id(key, .job, what: "job")
        let instanceId = Self.instanceId(ofJob: id)
        _ = try await camunda {
            try await runtime.send(.setJobRetries(jobId: id, retries: Int(retries)), to: instanceId)
        }
    }

    /// `UpdateJobTimeout`: an activated job's lock runs out `timeout` ms from now;
    /// `notFound` when the job is not activated.
    public func updateJobTimeout(key: CamundaKey, timeout: Int64) async throws {
        let id = try await keys.id(key, .job, what: "job")
        let until = runtime.clock.now().addingTimeInterval(Self.seconds(timeout))
        guard try await camunda({ try await runtime.store.extendJobLock(id, until: until) }) else {
            throw CamundaError(.notFound, "job \(key) is not activated")
        }
        // a lock that ends now: activatable at once
        if timeout <= 0, let (job, _) = try await camunda({ try await runtime.store.job(id) }) {
            await runtime.jobsReleased(type: job.action)
        }
    }

    // MARK: helpers

    /// The instance of a job: job ids are `instanceId-jN` (the engine's ids of what an instance creates).
    static func instanceId(ofJob id: String) -> String { String(id[..<(id.lastIndex(of: "-") ?? id.endIndex)]) }

    func storedJob(_ key: CamundaKey) async throws -> JobRecord {
        let id = try await keys.id(key, .job, what: "job")
        guard let (job, _) = try await camunda({ try await runtime.store.job(id) }), job.external else {
            throw CamundaError(.notFound, "no activatable job with key \(key) (completed, failed or cancelled)")
        }
        return job
    }

    /// Camunda's view of activated jobs: keys (one store call for all), headers, retries left
    /// and the variables at the job's element (`fetch` only, when given).
    func activated(
        _ found: [Runtime.ActivatedJob], worker: String, fetch: [String]
    ) async throws -> [CamundaActivatedJob] {
        guard !found.isEmpty else { return [] }
        var versions: [String: Int] = [:]  // the store reads them with the jobs; else the instance's
        for j in found where versions[j.job.instanceId] == nil {
            if let v = j.job.definitionVersion {
                versions[j.job.instanceId] = v
            } else {
                versions[j.job.instanceId] =
                    try await camunda { try await runtime.store.instance(j.job.instanceId) }?.definitionVersion ?? 1
            }
        }
        let refs = found.flatMap { j in
            [
                CamundaRef(.job, j.job.id), CamundaRef(.processInstance, j.job.instanceId),
                CamundaRef(.processDefinition, Self.definitionRef(j.job.definitionId, versions[j.job.instanceId] ?? 1)),
                CamundaRef(.elementInstance, "\(j.job.instanceId)/\(j.job.id)"),
            ]
        }
        let k = try await keys.keys(refs)
        var out: [CamundaActivatedJob] = []
        for (n, a) in found.enumerated() {
            let job = a.job
            let version = versions[job.instanceId] ?? 1
            out.append(
                CamundaActivatedJob(
                    key: k[4 * n], type: job.action, processInstanceKey: k[4 * n + 1], bpmnProcessId: job.definitionId,
                    processDefinitionVersion: Int32(version), processDefinitionKey: k[4 * n + 2],
                    elementId: job.elementId,
                    elementInstanceKey: k[4 * n + 3], customHeaders: Self.headers(job), worker: worker,
                    retries: Int32(await retriesLeft(job, version: version)), deadline: Self.epochMillis(a.deadline),
                    variables: Self.variables(job, fetch: fetch), tenantId: camundaDefaultTenant,
                    kind: await jobKind(job, version: version), listenerEventType: job.listenerEventType,
                    userTaskKey: try await listenerTaskKey(job)))
        }
        return out
    }

    func retriesLeft(_ job: JobRecord, version: Int) async -> Int {
        if let retries = job.listenerRetries { return max(0, retries + 1 - job.attempt) }
        guard let (def, _) = await runtime.definition(job.definitionId, version: version),
            let task = def.element(job.elementId)?.jobTask
        else { return max(0, 4 - job.attempt) }
        return task.retriesLeft(atAttempt: job.attempt)
    }

    /// Zeebe's job kind: AD_HOC_SUB_PROCESS for the job of an ad-hoc sub-process's job worker.
    func jobKind(_ job: JobRecord, version: Int) async -> String {
        if job.kind != "BPMN_ELEMENT" { return job.kind }  // a listener's job
        let element = await runtime.definition(job.definitionId, version: version)?.0.element(job.elementId)
        return element?.adHoc?.jobWorker != nil ? "AD_HOC_SUB_PROCESS" : "BPMN_ELEMENT"
    }

    static func headers(_ job: JobRecord) -> [String: String] {
        (job.payload[member: "headers"].contextValue ?? [:]).mapValues { $0.stringValue ?? JSON.encode($0) }
    }

    /// The job's variables: the instance's when it was created, with the task's input mappings.
    static func variables(_ job: JobRecord, fetch: [String]) -> CamundaVariables {
        var vars = job.variables ?? [:]
        for (k, v) in job.payload.contextValue ?? [:] where k != "headers" && k != "listener" { vars[k] = v }
        return fetch.isEmpty ? vars : vars.filter { fetch.contains($0.key) }
    }
}
