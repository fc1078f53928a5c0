import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The runtime's commands: every change to instances goes through the work queue and is
/// committed by the group commit (`Runtime+GroupCommit.swift`).
extension Runtime {
    func submit(_ work: Work) async throws -> WorkResult {
        try await withCheckedThrowingContinuation { c in
            pending.append(Pending(work: work, continuation: c))
            kick()
        }
    }

    func enqueue(_ work: Work) {
        pending.append(Pending(work: work, continuation: nil))
        kick()
    }

    func kick() {
        guard !draining else { return wakeDrain() }
        draining = true
        Task { await self.drain() }
    }

    /// Starts an instance of the latest version (or `version`), at its start events or at the
    /// elements `startAt` names; returns its state once committed.
    public func startInstance(
        _ definitionId: String, variables: [String: Value] = [:], businessKey: String? = nil, version: Int? = nil,
        startAt: [String] = []
    ) async throws -> InstanceState {
        var request = StartRequest(definitionId: definitionId, variables: variables, businessKey: businessKey)
        request.version = version
        request.startAt = startAt
        switch try await start(request) {
        case .started(let s), .correlated(let s): return s
        case .replayed(let r):
            guard let s = try await store.instance(r.instanceId) else {
                throw RuntimeError.unknownInstance(r.instanceId)
            }
            return s
        }
    }

    /// Starts an instance of the latest version, under the definition's uniqueness per
    /// business key and the request's idempotency key (`StartOutcome`).
    public func start(_ request: StartRequest) async throws -> StartOutcome {
        guard case .start(let o) = try await submit(.start(request)) else {
            throw RuntimeError.rejected("start produced no instance")
        }
        return o
    }

    /// Publishes a message: it goes to the oldest subscription with its name and correlation
    /// key, or starts the instances whose message start event has its name, or is kept for
    /// `timeToLive` seconds for a subscription still to come.
    public func publish(message: PublishedMessage) async throws -> MessageOutcome {
        guard case .message(let o) = try await submit(.message(message)) else { return .dropped }
        return o
    }

    /// Broadcasts a signal: every instance waiting for it continues, and processes with a
    /// signal start event of its name start. Returns how many were reached and which started.
    public func broadcast(signal name: String, variables: [String: Value] = [:]) async throws -> (correlated: Int, started: [String]) {
        guard case .signal(let c, let s) = try await submit(.signal(name, variables: variables)) else { return (0, []) }
        return (c, s)
    }

    /// Reports a worker's outcome for a job: completion, failure, or a BPMN error.
    public func reportJob(_ id: String, _ outcome: ConnectorOutcome) async throws -> InstanceState? {
        guard let (job, _) = try await store.job(id) else { throw RuntimeError.rejected("no active job \(id)") }
        guard job.external else { throw RuntimeError.rejected("job \(id) is performed by the engine, not by a worker") }
        let command: Command
        switch outcome {
        case .completed(let vars): command = .jobCompleted(jobId: id, output: vars)
        case .failed(let message, let retryable): command = .jobFailed(jobId: id, message: message, retryable: retryable, incidentType: "job_failed")
        case .bpmnError(let code, let message): command = .jobThrewError(jobId: id, code: code, message: message)
        }
        return try await reportJob(job, command: command)
    }

    /// Applies an operator or API command to an instance.
    public func send(_ command: Command, to instanceId: String) async throws -> InstanceState {
        guard case .instance(let s) = try await submit(.command(instanceId: instanceId, command)) else {
            throw RuntimeError.rejected("command produced no state")
        }
        return s
    }

    /// Completes a user task with variables, which must satisfy the task's form. A Camunda Form
    /// (form-js) is checked only when `camundaForm` is true: Camunda 8's own APIs complete a task
    /// without it (only its Tasklist checks the form), so the Zeebe and REST v2 paths pass false.
    public func completeTask(_ taskId: String, variables: [String: Value], camundaForm: Bool = true) async throws
        -> InstanceState
    {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        guard task.status == "open" else { throw RuntimeError.rejected("task \(taskId) is \(task.status), not open") }
        if let form = task.form, form[member: "type"] == "object" || form[member: "properties"] != .null {
            let problems = FormValidator.problems(variables, schema: form)
            if !problems.isEmpty { throw RuntimeError.invalidInput("the variables do not satisfy the task's form", problems: problems) }
        }
        if camundaForm, let source = try await camundaFormSource(task.form), let form = CamundaForm(source) {
            let instance = try await store.instance(task.instanceId)?.variables ?? [:]
            let problems = form.problems(variables, instance: instance)
            if !problems.isEmpty {
                throw RuntimeError.invalidInput("the variables do not satisfy the task's form", problems: problems)
            }
        }
        return try await send(.completeUserTask(taskId: taskId, variables: variables), to: task.instanceId)
    }

    /// Claims an open, unassigned task for a user.
    public func claimTask(_ taskId: String, user: String) async throws -> UserTaskRecord {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        guard task.status == "open" else { throw RuntimeError.rejected("task \(taskId) is \(task.status), not open") }
        if task.assignee == user { return task }
        if try await hasAssigningListeners(task) {
            guard task.assignee == nil else {
                throw RuntimeError.rejected("task \(taskId) is already claimed by \(task.assignee ?? "someone")")
            }
            _ = try await send(.assignUserTask(taskId: taskId, assignee: user), to: task.instanceId)
            return try await store.userTask(taskId) ?? task
        }
        guard try await store.assignTask(taskId, assignee: user, onlyIfUnassigned: true) else {
            throw RuntimeError.rejected("task \(taskId) is already claimed by \(task.assignee ?? "someone")")
        }
        changes.notify(.tasks)
        return try await store.userTask(taskId) ?? task
    }

    /// Sets (or, with nil, clears) an open task's assignee.
    public func assignTask(_ taskId: String, to user: String?) async throws -> UserTaskRecord {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        if try await hasAssigningListeners(task) {
            guard task.status == "open" else { throw RuntimeError.rejected("task \(taskId) is \(task.status), not open") }
            _ = try await send(.assignUserTask(taskId: taskId, assignee: user), to: task.instanceId)
            return try await store.userTask(taskId) ?? task
        }
        guard try await store.assignTask(taskId, assignee: user, onlyIfUnassigned: false) else {
            throw RuntimeError.rejected("task \(taskId) is \(task.status), not open")
        }
        changes.notify(.tasks)
        return try await store.userTask(taskId) ?? task
    }

    /// Whether the task's element has `assigning` task listeners (its assignment then goes
    /// through the engine, which runs them).
    func hasAssigningListeners(_ task: UserTaskRecord) async throws -> Bool {
        guard let s = try await store.instance(task.instanceId),
              let (def, _) = await definition(task.definitionId, version: s.definitionVersion),
              case .userTask(let ut)? = def.element(task.elementId)?.kind else { return false }
        return !(ut.taskListeners[.assigning] ?? []).isEmpty
    }

    /// Retries an incident after its cause is fixed.
    public func retryIncident(_ incidentId: String) async throws -> InstanceState {
        guard let rec = try await store.incident(incidentId) else { throw RuntimeError.unknownIncident(incidentId) }
        guard rec.resolvedAt == nil else { throw RuntimeError.rejected("incident \(incidentId) is already resolved") }
        return try await send(.retryIncident(incidentId: incidentId), to: rec.incident.instanceId)
    }

    /// Resolves an incident without retrying: the failed activity counts as done with the
    /// given variables and the instance moves on.
    public func resolveIncident(_ incidentId: String, variables: [String: Value]) async throws -> InstanceState {
        guard let rec = try await store.incident(incidentId) else { throw RuntimeError.unknownIncident(incidentId) }
        guard rec.resolvedAt == nil else { throw RuntimeError.rejected("incident \(incidentId) is already resolved") }
        return try await send(.resolveIncident(incidentId: incidentId, variables: variables), to: rec.incident.instanceId)
    }

    /// Moves a running instance to another version of its definition (default: the latest),
    /// when every element it is at exists there as the same kind (under the id `mappings` gives
    /// it: source id → target id); refused with the reasons otherwise.
    public func migrate(_ instanceId: String, toVersion version: Int? = nil,
                        mappings: [String: String] = [:]) async throws -> InstanceState {
        guard let s = try await store.instance(instanceId) else { throw RuntimeError.unknownInstance(instanceId) }
        var target = version ?? 0
        if version == nil {
            guard let (_, v) = await definition(s.definitionId) else { throw RuntimeError.unknownDefinition(s.definitionId) }
            target = v
        }
        let work = Work.migrate(instanceId: instanceId, version: target, mappings: mappings)
        guard case .instance(let out) = try await submit(work) else {
            throw RuntimeError.rejected("migration produced no state")
        }
        return out
    }
}
