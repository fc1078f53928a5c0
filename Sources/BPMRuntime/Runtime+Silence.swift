import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Silence and debounce triggers: their keys live in `silences` (`SilenceBook`); batches touch
/// them as events come and write a key's row when it is new or `slack` behind; the timer loop
/// fires the keys gone quiet; the rows are read back at start.
extension Runtime {
    /// Reads the stored keys of every silence trigger (at start, before any event). Nothing
    /// fires within `silenceGrace` of now, so events consumed while the engine was down (Kafka
    /// records past the stored positions) re-arm their keys first.
    func restoreSilences() async throws {
        let now = clock.now().timeIntervalSince1970
        var ids: Set<String> = []
        for (def, _) in registry.all {
            guard let s = def.trigger?.silence else { continue }
            ids.insert(def.id)
            let stored = try await store.eventWindows(definitionId: SilenceBook.namespace + def.id)
            let rows = stored.compactMap { r -> (key: String, stored: Double, variables: String, exact: Bool)? in
                guard let c = r.state.contextValue, let seen = c["seen"]?.doubleValue else { return nil }
                return (r.key, seen, JSON.encode(c["vars"] ?? .context([:])), c["exact"] == .bool(true))
            }
            silences.restore(def.id, s, rows: rows, now: now, notBefore: now + silenceGrace)
            if !rows.isEmpty { logger.info("silence trigger \(def.id): \(rows.count) key(s) restored") }
        }
        silences.keep(ids)
        let book = silences
        commitObservers.append { book.committed($0.windows) }
    }

    /// At a clean stop (after the queued work is committed): writes every key whose row lags
    /// its last event, marked exact, so the next start takes its deadlines as they were.
    func flushSilences() async {
        let rows = silences.unsaved().map { u in
            let vars = (try? JSON.parse(u.fire.variables))?.contextValue ?? [:]
            var row = SilenceBook.row(at: u.fire.lastSeen, variables: vars)
            row["exact"] = true
            let id = SilenceBook.namespace + u.definitionId
            return WindowWrite(definitionId: id, key: u.fire.key, state: .context(row))
        }
        guard !rows.isEmpty else { return }
        var batch = CommitBatch()
        batch.windows = rows
        do { try await store.commit(batch) } catch { logger.error("silence keys not written at stop: \(error)") }
    }

    /// Queues the keys gone quiet; how many.
    func fireDueSilences(limit: Int) -> Int {
        let due = silences.due(at: clock.now().timeIntervalSince1970, limit: limit)
        for d in due { enqueue(.silence(definitionId: d.definitionId, d.fire)) }
        return due.count
    }
}

extension BatchContext {
    /// An event for a silence trigger (`key` nil: it does not match, or has no key): the key's
    /// deadline moves on; its row is written when the key is new or its stored time lags.
    mutating func silenceSeen(_ def: ProcessDefinition, _ s: Silence, key: String?, event: Value)
        -> Runtime.EventOutcome
    {
        guard let key, let book = silences else {
            let why = key == nil ? "the event does not arm the \(s.kind.rawValue) trigger" : "no silence book"
            return .init(definitionId: def.id, action: .ignored, correlationKey: key, reason: why)
        }
        let vars = EventIntake.eventVariables(event, def)
        let at = now.timeIntervalSince1970
        if book.touch(def.id, s, key: key, at: at, variables: JSON.encode(.context(vars))) {
            let k = WindowKey(definitionId: SilenceBook.namespace + def.id, key: key)
            markChanged(k)
            windows[k] = SilenceBook.row(at: at, variables: vars)
        }
        let armed = "\(s.kind.rawValue) armed: fires after \(Self.seconds(s.after)) without an event for key '\(key)'"
        return .init(definitionId: def.id, action: .ignored, correlationKey: key, reason: armed)
    }

    /// A key gone quiet: its row goes (unless an event armed it again meanwhile) with what it
    /// sets off, in one transaction — the message published, the running instance for the key
    /// correlated, or an instance started, with the last event's variables.
    mutating func silenceFired(_ defId: String, _ f: SilenceTable.Fire) async throws -> [Runtime.EventOutcome] {
        let k = WindowKey(definitionId: SilenceBook.namespace + defId, key: f.key)
        if windows[k] == nil, !(silences?.contains(defId, key: f.key) ?? false) {
            markChanged(k)
            windows[k] = [:]
        }
        guard let (def, version) = await definition(defId), let s = def.trigger?.silence else { return [] }
        let vars = (try? JSON.parse(f.variables))?.contextValue ?? [:]
        func outcome(_ a: Runtime.EventOutcome.Action, _ id: String? = nil, _ why: String? = nil)
            -> Runtime.EventOutcome
        {
            .init(definitionId: defId, action: a, instanceId: id, correlationKey: f.key, reason: why)
        }
        if let name = s.message {
            switch try await deliver(message: PublishedMessage(name: name, correlationKey: f.key, variables: vars)) {
            case .correlated(let id): return [outcome(.correlated, id)]
            case .started(let ids): return ids.map { outcome(.started, $0) }
            case .buffered, .dropped: return [outcome(.ignored, nil, "no instance waits for '\(name)'")]
            }
        }
        if registry.retired.contains(def.id) { return [outcome(.ignored, nil, "definition is retired")] }
        if let running = try await activeInstance(def.id, f.key) {
            _ = try await applyCommand(.correlate(variables: vars), to: running)
            return [outcome(.correlated, running)]
        }
        let variables = EventIntake.constants(def).merging(vars) { _, e in e }
        let started = start(def, version: version, variables: variables, key: f.key, businessKey: nil)
        return [outcome(.started, started.id)]
    }
}
