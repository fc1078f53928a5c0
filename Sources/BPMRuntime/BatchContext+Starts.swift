import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

extension BatchContext {
    /// An API start: the first answer again for an idempotency key used before; refused or
    /// correlated when the definition is unique per business key and an instance runs for it;
    /// else a new instance.
    mutating func apiStart(_ r: Runtime.StartRequest) async throws -> Runtime.StartOutcome {
        if let known = try await answered(r) { return .replayed(known) }
        guard let (def, version) = await definition(r.definitionId, version: r.version) else {
            throw Runtime.RuntimeError.unknownDefinition(r.definitionId)
        }
        if registry.retired.contains(def.id) { throw Runtime.RuntimeError.retired(def.id) }
        if let bk = r.businessKey, let n = def.trigger?.flow.maxRunning {
            let ids = try await runningInstances(def.id, businessKey: bk, limit: n)
            if ids.count >= n {
                if let known = try await answered(r) { return .replayed(known) }
                throw Runtime.RuntimeError.tooManyRunning(definitionId: def.id, businessKey: bk,
                                                          instanceIds: ids.sorted())
            }
        }
        guard let bk = r.businessKey, let policy = def.trigger?.flow.unique else {
            return .started(try start(def, version: version, r, businessKey: r.businessKey))
        }
        if let running = try await runningInstance(def.id, businessKey: bk) {
            switch policy {
            case .refuse:
                // the running instance may be this key's own start, committed by another replica
                // after the first look: its answer then
                if let known = try await answered(r) { return .replayed(known) }
                throw Runtime.RuntimeError.alreadyRunning(definitionId: def.id, businessKey: bk, instanceId: running)
            case .correlate: return .correlated(try await applyCommand(.correlate(variables: r.variables), to: running))
            }
        }
        let s = try start(def, version: version, r, businessKey: bk)
        uniqueKeys[s.id] = bk
        return .started(s)
    }

    /// A new instance for an API start: at its start events, or at the request's elements.
    mutating func start(_ def: ProcessDefinition, version: Int, _ r: Runtime.StartRequest,
                        businessKey: String?) throws -> InstanceState {
        guard !r.startAt.isEmpty else {
            return start(def, version: version, variables: r.variables, key: nil, businessKey: businessKey)
        }
        let t = try Engine.start(def, instanceId: UUIDv7.make(now), version: version, variables: r.variables,
                                 at: r.startAt, businessKey: businessKey, now: now)
        record(t, expected: nil)
        return t.state
    }

    /// The first answer to a start with the request's idempotency key, if it was answered
    /// (refused when that key started another definition).
    mutating func answered(_ r: Runtime.StartRequest) async throws -> StartRecord? {
        guard let key = r.idempotencyKey, let known = try await startRecord(key) else { return nil }
        guard known.definitionId == r.definitionId else {
            throw Runtime.RuntimeError.idempotencyKeyReused(key: key, definitionId: known.definitionId)
        }
        return known
    }

    /// An idempotent start's answer, from this batch or the store.
    mutating func startRecord(_ key: String) async throws -> StartRecord? {
        if let r = commit.startRecords.first(where: { $0.key == key }) { return r }
        return try await reading().startRecord(key: key)
    }

    /// The running (or suspended) instance of a definition for a business key: this batch's
    /// own starts and ends first, then the store.
    mutating func runningInstance(_ defId: String, businessKey: String) async throws -> String? {
        try await runningInstances(defId, businessKey: businessKey, limit: 1).first
    }

    /// Up to `limit` running (or suspended) instances of a definition for a business key.
    mutating func runningInstances(_ defId: String, businessKey: String, limit: Int) async throws -> [String] {
        var ids: [String] = []
        for id in order where ids.count < limit {
            guard let s = states[id]?.state, s.definitionId == defId, s.businessKey == businessKey, s.status.isActive else {
                continue
            }
            ids.append(id)
        }
        for status in [InstanceStatus.running, .suspended] where ids.count < limit {
            let query = InstanceQuery(definitionId: defId, status: status, businessKey: businessKey,
                                      limit: limit + order.count)
            // an instance that ended in this batch no longer holds the key
            for id in try await reading().instances(query).map(\.id)
            where ids.count < limit && !ids.contains(id) && (states[id]?.state.status.isActive ?? true) {
                ids.append(id)
            }
        }
        return ids
    }

    /// Keeps the answer of a start with an idempotency key, with the instance as routing left it.
    mutating func remember(_ r: Runtime.StartRequest, _ o: Runtime.StartOutcome) -> Runtime.StartOutcome {
        let latest: Runtime.StartOutcome
        let s: InstanceState
        switch o {
        case .started(let x): s = states[x.id]?.state ?? x; latest = .started(s)
        case .correlated(let x): s = states[x.id]?.state ?? x; latest = .correlated(s)
        case .replayed: return o
        }
        let status = if case .started = latest { 201 } else { 200 }
        guard let key = r.idempotencyKey else { return latest }
        commit.startRecords.append(StartRecord(key: key, definitionId: r.definitionId, instanceId: s.id, status: status,
                                               response: r.render(s), createdAt: now))
        return latest
    }
}
