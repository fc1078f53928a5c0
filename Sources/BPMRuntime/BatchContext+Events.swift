import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

extension BatchContext {
    /// The running instance for a key, seeing this batch's own starts and ends first.
    mutating func activeInstance(_ defId: String, _ key: String) async throws -> String? {
        if let claimed = keys[defId]?[key] { return claimed }
        for r in reads where r.keys.contains(key) && r.definitions.contains(defId) { return running[defId]?[key] }
        return try await reading().activeInstance(definitionId: defId, correlationKey: key)
    }

    /// Reads, in one query per definition, the running instances for every correlation key the
    /// batch's events carry: an event for a key with a running instance is delivered to it, so
    /// each event would otherwise cost one read per definition listening on its topic.
    mutating func prefetchActiveInstances(_ batch: [Runtime.Pending], overlay: [[String: [String: String?]]]) async {
        var definitions: Set<String> = []
        var wanted: Set<String> = []
        var routes: Set<ObjectIdentifier> = []
        func want(_ event: Value, _ topic: String?, _ mqtt: Bool) {
            let route = registry.route(forTopic: topic, mqtt: mqtt)
            guard route.anyKey else { return }
            if routes.insert(ObjectIdentifier(route)).inserted { definitions.formUnion(route.keyed) }
            // a key read from a path is the same for every definition keyed by that path
            let values = route.read(event)
            for slot in route.keySlots { if let v = values[slot], !v.isNull { wanted.insert(v.interpolated) } }
            for i in route.evaluatedKeys { if let key = route.key(i, event, values) { wanted.insert(key) } }
        }
        for item in batch {
            switch item.work {
            case .intake(.event(let e)): want(e.value, e.topic, e.mqtt)
            case .intakeBatch(let items): for case .event(let e) in items { want(e.value, e.topic, e.mqtt) }
            case .event(let v, let t, nil, _): want(v, t, false)
            default: continue
            }
        }
        guard !wanted.isEmpty else { return }
        // one query for every definition and key of the chunk, without waiting for the batches
        // being written: what they claim and release is laid over what the store has (taken
        // before reading, so a batch finishing meanwhile is counted at least once)
        guard var found = try? await store.activeInstances(definitionIds: Array(definitions), correlationKeys: Array(wanted)) else {
            prefetchFailed = true
            return
        }
        var seen = 0
        for keys in overlay {
            for (defId, byKey) in keys where definitions.contains(defId) {
                for (key, id) in byKey where wanted.contains(key) {
                    found[defId, default: [:]][key] = id
                    seen += 1
                }
            }
        }
        counters.keysSeenInFlight += seen
        reads.append((definitions, wanted))
        for (defId, byKey) in found where !byKey.isEmpty {
            running[defId, default: [:]].merge(byKey) { old, _ in old }
            keysChanged += 1
        }
    }

    /// The receives an event on `topic` reaches: one through the API (`POST /events`, a process
    /// test) those of either source, a consumed one those of its own.
    func receivers(_ topic: String, mqtt: Bool, api: Bool) -> [(definitionId: String, message: MessageDefinition)] {
        api ? registry.receivers(ofTopic: topic) + registry.receivers(ofTopic: topic, mqtt: true)
            : registry.receivers(ofTopic: topic, mqtt: mqtt)
    }

    /// A consumed event: its position is stored whatever it leads to — a rejection is its
    /// outcome, not a reason to deliver it again.
    mutating func consume(_ e: IntakeEvent) async throws -> [Runtime.EventOutcome] {
        if let o = e.offset { commit.consumed(o) }
        do {
            return try await deliver(e.value, topic: e.topic, definitionId: nil, mqtt: e.mqtt, detailed: false)
        } catch let error as Runtime.RuntimeError {
            return [.init(definitionId: "", action: .ignored, reason: error.description)]
        } catch let error as CommandRejection {
            return [.init(definitionId: "", action: .ignored, reason: "\(error)")]
        }
    }

    /// Whether an instance of a route's target may be running for one of the batch's keys:
    /// false only when the batch's keys were all read up front, none had one, and the batch
    /// has started or ended none of that definition since (then there is nothing to look up).
    mutating func mayBeRunning(_ route: TopicRoute, _ i: Int, _ routed: Bool) -> Bool {
        guard !prefetchFailed, routed, route.kept else { return true }
        let id = ObjectIdentifier(route)
        if let m = mayRun[id], m.version == keysChanged { return m.flags[i] }
        let flags = route.ids.map { defId in
            keys[defId] != nil || !(running[defId]?.isEmpty ?? true)
        }
        mayRun[id] = (keysChanged, flags)
        return flags[i]
    }

    /// The definitions an event goes to: those listening on its topic, or the one named.
    mutating func route(_ definitionId: String?, topic: String?, mqtt: Bool) async throws -> TopicRoute {
        guard let definitionId else { return registry.route(forTopic: topic, mqtt: mqtt) }
        guard let d = await definition(definitionId) else { throw Runtime.RuntimeError.unknownDefinition(definitionId) }
        return TopicRoute([d])
    }

    /// Delivers an event to the definitions listening on its topic (or to one definition).
    /// With `detailed` false (intake from Kafka and MQTT, where nobody reads them) definitions
    /// the event leaves alone give no outcome, and those whose condition cannot hold (a
    /// `path = literal` guard fails) are not evaluated.
    mutating func deliver(_ event: Value, topic: String?, definitionId: String?, mqtt: Bool = false, detailed: Bool = true,
                          adding extra: [String: Value] = [:]) async throws -> [Runtime.EventOutcome]
    {
        let route = try await route(definitionId, topic: topic, mqtt: mqtt)
        let values = route.read(event)
        var out: [Runtime.EventOutcome] = []
        var visit: [Int]?
        if !detailed, let keyed = route.literalIndex?.keyed {
            visit = route.candidates(values, running: keyed.filter { mayBeRunning(route, $0, definitionId == nil) })
        }
        for i in visit ?? Array(route.targets.indices) {
            // only what the outcome needs: the key, then the condition, variables last
            let key = route.key(i, event, values)
            if let s = route.targets[i].0.trigger?.silence {
                let holds = route.mayHold(i, values) && EventIntake.conditionHolds(event, route.targets[i].0)
                let o = silenceSeen(route.targets[i].0, s, key: holds ? key : nil, event: event)
                if detailed { out.append(o) }
                continue
            }
            // windows count every event of their key, whatever it leads to
            var windows: [String: Value] = [:]
            if route.windowed[i] { windows = try await windowValues(route.targets[i].0, key: key, event: event) }
            if let key, mayBeRunning(route, i, definitionId == nil), let running = try await activeInstance(route.ids[i], key) {
                // refresh the running instance's event variables; never start a second one
                let refreshed = EventIntake.eventVariables(event, route.targets[i].0).merging(windows) { _, w in w }
                do {
                    _ = try await applyCommand(.correlate(variables: refreshed), to: running)
                    out.append(.init(definitionId: route.ids[i], action: .correlated, instanceId: running, correlationKey: key))
                    continue
                } catch Runtime.RuntimeError.unknownInstance {
                    // claimed by a batch whose write failed: no instance holds the key (should
                    // one have started meanwhile, the start below conflicts and is applied again)
                    keys[route.ids[i], default: [:]][key] = .some(nil)
                    keysChanged += 1
                    counters.keysFoundReleased += 1
                }
            }
            if !(route.mayHold(i, values) && EventIntake.conditionHolds(event, route.targets[i].0, windows: windows)) {
                if route.hasHoldFor[i] { try await patternBroken(route.targets[i].0, key: key ?? "") }
                guard detailed else { continue }
                let reason = route.hasKey[i] && key == nil ? "event has no value for the correlation key" : "trigger condition is false"
                out.append(.init(definitionId: route.ids[i], action: .ignored, correlationKey: key, reason: reason))
                continue
            }
            let def = route.targets[i].0
            let vars = EventIntake.startVariables(event, def).merging(extra) { _, x in x }.merging(windows) { _, w in w }
            var reason: String?
            if registry.retired.contains(def.id) {
                reason = "definition is retired for new instances"
            } else if let t = def.trigger, t.hasPattern {
                reason = try await patternBlocks(def, t, key: key ?? "", variables: vars)
            }
            if let reason {
                if detailed { out.append(.init(definitionId: def.id, action: .ignored, correlationKey: key, reason: reason)) }
            } else {
                let s = start(def, version: route.targets[i].1, variables: vars, key: key, businessKey: nil)
                out.append(.init(definitionId: def.id, action: .started, instanceId: s.id, correlationKey: key))
            }
        }
        // message events that take their messages from this topic (also for an event addressed
        // to one definition: it still arrived on the topic): one message per name
        guard let topic else { return out }
        var names: Set<String> = []
        for (defId, md) in receivers(topic, mqtt: mqtt, api: detailed) where names.insert(md.name).inserted {
            let keyValue = md.keyPath.flatMap { event.lookup(path: $0) }
            let key = keyValue.flatMap { $0.isNull ? nil : $0.interpolated }
            let message = PublishedMessage(name: md.name, correlationKey: key, variables: event.contextValue ?? ["event": event], timeToLive: md.timeToLive)
            switch try await deliver(message: message) {
            case .correlated(let id): out.append(.init(definitionId: defId, action: .correlated, instanceId: id, correlationKey: key))
            case .started(let ids): out += ids.map { .init(definitionId: defId, action: .started, instanceId: $0, correlationKey: key) }
            case .buffered: out.append(.init(definitionId: defId, action: .buffered, correlationKey: key, reason: "kept for \(Self.seconds(md.timeToLive)) for an instance still to wait for message '\(md.name)'"))
            case .dropped: if detailed { out.append(.init(definitionId: defId, action: .ignored, correlationKey: key, reason: "no instance waits for message '\(md.name)'")) }
            }
        }
        return out
    }
}
