import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

extension CamundaGateway {
    /// `CreateProcessInstance`: starts an instance of the latest version, or of the version
    /// named (`version`, or a `processDefinitionKey` of an older one), at its none start event;
    /// `notFound` when no such process (or version) is deployed; with start instructions it
    /// starts at those elements instead (`invalidArgument` for one it cannot start at).
    public func createInstance(_ request: CamundaCreateInstance) async throws -> CamundaCreatedInstance {
        let (id, version) = try await startable(request)
        return try await created(try await start(id, version, request))
    }

    /// `CreateProcessInstanceWithResult`: starts an instance and answers once it completes,
    /// with its variables (only `fetchVariables` when given); `deadlineExceeded` when it does
    /// not complete within `requestTimeout` ms (0 or less: the gateway's default, 10 s) — the
    /// instance goes on; `failedPrecondition` when it ends otherwise (terminated, failed).
    public func createInstanceWithResult(
        _ request: CamundaCreateInstance, requestTimeout: Int64,
        fetchVariables: [String] = []
    ) async throws -> CamundaInstanceResult {
        let (id, version) = try await startable(request)
        await observeEnds()
        let s = try await start(id, version, request)
        let info = try await created(s)
        let timeout = requestTimeout > 0 ? Self.seconds(requestTimeout) : 10
        let end = s.status.isActive ? await waitForEnd(s.id, timeout: timeout) : s
        guard let end else {
            throw CamundaError(
                .deadlineExceeded,
                "process instance \(info.processInstanceKey) did not complete "
                    + "within \(Int64(timeout * 1000)) ms")
        }
        guard end.status == .completed else {
            throw CamundaError(
                .failedPrecondition, "process instance \(info.processInstanceKey) ended \(end.status.rawValue)")
        }
        let vars = fetchVariables.isEmpty ? end.variables : end.variables.filter { fetchVariables.contains($0.key) }
        return CamundaInstanceResult(instance: info, variables: vars)
    }

    /// `CancelProcessInstance`: terminates an active instance; `notFound` when there is none
    /// with the key.
    public func cancelInstance(key: CamundaKey) async throws {
        let s = try await instance(key: key)
        guard s.status.isActive else { throw CamundaError(.notFound, "process instance \(key) is not active") }
        _ = try await camunda { try await runtime.send(.cancel(reason: "cancelled through Camunda's API"), to: s.id) }
    }

    /// `MigrateProcessInstance`: moves the instance to another version of its process where
    /// every active element exists as the same kind, under the id its mapping instruction
    /// names (unmapped: the same id); `failedPrecondition` otherwise, naming the elements.
    public func migrateInstance(
        key: CamundaKey, targetProcessDefinitionKey: CamundaKey,
        mappings: [CamundaMappingInstruction]
    ) async throws {
        let s = try await instance(key: key)
        let target = try await definition(key: targetProcessDefinitionKey)
        guard target.id == s.definitionId else {
            throw CamundaError(.failedPrecondition, "migrating to another process ('\(target.id)') is not supported")
        }
        var map: [String: String] = [:]
        for m in mappings {
            if let other = map[m.sourceElementId], other != m.targetElementId {
                throw CamundaError(
                    .invalidArgument, "'\(m.sourceElementId)' is mapped to both '\(other)' and '\(m.targetElementId)'")
            }
            map[m.sourceElementId] = m.targetElementId
        }
        _ = try await camunda { try await runtime.migrate(s.id, toVersion: target.version, mappings: map) }
    }

    /// `SetVariables`: on the process instance (its key), or on an element instance: a
    /// sub-process or multi-instance scope holds them (`local`), or each goes where it is
    /// defined, else to the instance (propagated); a job's or user task's element instance
    /// has no variables of its own, so its enclosing scope takes them. Returns the command's key.
    public func setVariables(
        elementInstanceKey: CamundaKey, variables: CamundaVariables,
        local: Bool
    ) async throws -> CamundaKey {
        guard let ref = try await keys.ref(elementInstanceKey) else {
            throw CamundaError(.notFound, "no element instance with key \(elementInstanceKey)")
        }
        switch ref.kind {
        case .processInstance:
            _ = try await camunda { try await runtime.send(.setVariables(variables), to: ref.id) }
        case .elementInstance:
            let instanceId = String(ref.id.prefix { $0 != "/" })
            let element = String(ref.id.dropFirst(instanceId.count + 1))
            let command = Command.setScopedVariables(elementInstance: element, variables: variables, local: local)
            _ = try await camunda { try await runtime.send(command, to: instanceId) }
        default: throw CamundaError(.notFound, "no element instance with key \(elementInstanceKey)")
        }
        return try await keys.fresh(.command)
    }

    // MARK: helpers

    /// The process to start for a request and its version (nil: the latest).
    func startable(_ r: CamundaCreateInstance) async throws -> (String, Int?) {
        let id: String
        var version: Int?
        if let key = r.processDefinitionKey, key > 0 {
            (id, version) = try await definition(key: key)
        } else if let p = r.bpmnProcessId, !p.isEmpty {
            id = p
            version = r.version >= 0 ? Int(r.version) : nil
        } else {
            throw CamundaError(.invalidArgument, "expected a bpmnProcessId or a processDefinitionKey")
        }
        guard await runtime.definition(id) != nil else {
            throw CamundaError(.notFound, "no process with bpmnProcessId '\(id)' is deployed")
        }
        if let version, await runtime.definition(id, version: version) == nil {
            throw CamundaError(.notFound, "no version \(version) of process '\(id)' is deployed")
        }
        return (id, version)
    }

    /// Starts the instance a request asks for; an engine's refusal of its start instructions
    /// is the client's mistake (`invalidArgument`).
    func start(_ id: String, _ version: Int?, _ r: CamundaCreateInstance) async throws -> InstanceState {
        try await refusedAsInvalid {
            try await runtime.startInstance(id, variables: r.variables, version: version, startAt: r.startInstructions)
        }
    }

    func created(_ s: InstanceState) async throws -> CamundaCreatedInstance {
        let k = try await keys.keys([
            CamundaRef(.processDefinition, Self.definitionRef(s.definitionId, s.definitionVersion)),
            CamundaRef(.processInstance, s.id),
        ])
        return CamundaCreatedInstance(
            processDefinitionKey: k[0], bpmnProcessId: s.definitionId,
            version: Int32(s.definitionVersion), processInstanceKey: k[1],
            tenantId: camundaDefaultTenant)
    }

    /// Tells waiters of `waitForEnd` every instance a commit ends (registered once).
    func observeEnds() async {
        let first = endWaiters.withLock { w in
            defer { w.observing = true }
            return !w.observing
        }
        guard first else { return }
        let waiters = endWaiters
        await runtime.observeCommits { batch in
            let ended = waiters.withLock { w -> [(CheckedContinuation<InstanceState?, Never>, InstanceState)] in
                guard !w.waiting.isEmpty else { return [] }
                return batch.instances.filter { !$0.state.status.isActive }.flatMap { write in
                    (w.waiting.removeValue(forKey: write.state.id) ?? [:]).values.map { ($0, write.state) }
                }
            }
            for (c, s) in ended { c.resume(returning: s) }
        }
    }

    /// The instance's state once it ends; nil when it has not after `timeout` seconds.
    func waitForEnd(_ id: String, timeout: Double) async -> InstanceState? {
        let n = endWaiters.withLock { w in
            w.last += 1
            return w.last
        }
        let store = runtime.store
        return await withCheckedContinuation { c in
            endWaiters.withLock { $0.waiting[id, default: [:]][n] = c }
            Task {
                // it may have ended before the waiter was registered
                if let s = try? await store.instance(id), !s.status.isActive { self.resumeWaiter(id, n, s) }
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                self.resumeWaiter(id, n, nil)
            }
        }
    }

    private func resumeWaiter(_ id: String, _ n: Int, _ state: InstanceState?) {
        let c = endWaiters.withLock { w -> CheckedContinuation<InstanceState?, Never>? in
            let c = w.waiting[id]?.removeValue(forKey: n)
            if w.waiting[id]?.isEmpty == true { w.waiting[id] = nil }
            return c
        }
        c?.resume(returning: state)
    }
}
