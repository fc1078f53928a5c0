import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

extension BatchContext {
    /// Routes messages published in the batch and gives new subscriptions the buffered
    /// messages waiting for them, until nothing is left to route.
    mutating func routeMessages() async throws {
        while true {
            if !routing.childStarts.isEmpty {
                let c = routing.childStarts.removeFirst()
                childrenStarted += 1
                if childrenStarted > Limits.active.steps {
                    // processes that call each other without waiting: stopped, as a runaway loop is
                    let why = "more than \(Limits.active.steps) called instances started in one step without any waiting:"
                        + " the processes loop through call activities (\(Limits.Option.steps.rawValue) raises the bound)"
                    _ = try await applyCommand(.childStartFailed(tokenId: c.parent.tokenId, message: why), to: c.parent.instanceId)
                } else if let (def, version) = await definition(c.processId) {
                    let t = Engine.start(def, instanceId: c.instanceId, version: version, variables: c.variables, parent: c.parent, now: now)
                    record(t, expected: nil)
                } else {
                    _ = try await applyCommand(.childStartFailed(tokenId: c.parent.tokenId, message: "no deployed process '\(c.processId)' to call"),
                                               to: c.parent.instanceId)
                }
            } else if !routing.childCancels.isEmpty {
                try countRouted("cancelled called instances")
                let id = routing.childCancels.removeFirst()
                _ = try? await applyCommand(.cancel(reason: "its call activity ended"), to: id)
            } else if !endedChildren.isEmpty {
                try countRouted("called instances that end")
                let child = endedChildren.removeFirst()
                guard let parent = child.parent else { continue }
                let command: Command
                switch child.status {
                case .completed: command = .childCompleted(tokenId: parent.tokenId, variables: child.variables)
                case .failed: command = .childFailed(tokenId: parent.tokenId, code: child.error?.code ?? "error", message: child.error?.message)
                default: continue  // cancelled by its parent
                }
                do { _ = try await applyCommand(command, to: parent.instanceId) } catch is CommandRejection {}
            } else if !routing.signals.isEmpty {
                try countRouted("signal", routing.signals[0].name)
                let s = routing.signals.removeFirst()
                _ = try await broadcast(signal: s.name, variables: s.variables, except: s.from)
            } else if !routing.toPublish.isEmpty {
                try countRouted("message", routing.toPublish[0].name)
                _ = try await deliver(message: routing.toPublish.removeFirst())
            } else if !routing.newSubscriptions.isEmpty {
                try countRouted("buffered message", routing.newSubscriptions[0].name)
                let sub = routing.newSubscriptions.removeFirst()
                guard !routing.closedSubscriptions.contains(sub.id),
                      let b = try await reading().bufferedMessage(name: sub.name, correlationKey: sub.correlationKey, at: now),
                      !takenBuffered.contains(b.id) else { continue }
                takenBuffered.insert(b.id)
                commit.bufferedToDelete.append(b.id)
                routing.closedSubscriptions.insert(sub.id)
                _ = try await applyCommand(.correlateMessage(subscriptionId: sub.id, variables: b.message.variables), to: sub.instanceId)
            } else {
                return
            }
        }
    }

    /// Counts one delivery of the work item being applied, by rounds: a round is what was
    /// queued when it began, so a fan-out (a signal to many instances, each answering) is a few
    /// rounds and a loop through other instances one round per delivery. Past the step bound
    /// in rounds, or a hundred times it in deliveries, the processes loop through each other
    /// without waiting, and the item is refused: nothing of it is written.
    mutating func countRouted(_ kind: String, _ name: String? = nil) throws {
        if roundLeft == 0 {
            rounds += 1
            roundLeft = routing.childCancels.count + endedChildren.count + routing.signals.count
                + routing.toPublish.count + routing.newSubscriptions.count
        }
        roundLeft -= 1
        routed += 1
        let bound = Limits.active.steps
        guard rounds > bound || routed > 100 * bound else { return }
        let count = rounds > bound ? "\(bound) rounds of deliveries" : "\(100 * bound) deliveries"
        throw Runtime.RuntimeError.runaway(
            "more than \(count) in one step without any instance waiting: the processes loop through "
                + kind + (name.map { " '\($0)'" } ?? "")
                + " (\(Limits.Option.steps.rawValue) raises the bound); nothing of it was applied")
    }

    /// Delivers a signal to every instance waiting for it (but the one that threw it, which
    /// already has) and starts the processes with a signal start event of its name.
    mutating func broadcast(signal name: String, variables: [String: Value], except: String?) async throws -> (correlated: Int, started: [String]) {
        let channel = "signal:" + name
        var subs = routing.openedSubscriptions.filter { $0.name == channel }
        for s in try await reading().subscriptions(name: channel, limit: 100_000) where !subs.contains(where: { $0.id == s.id }) { subs.append(s) }
        var correlated = 0
        for sub in subs where sub.instanceId != except && !routing.closedSubscriptions.contains(sub.id) {
            if try await correlate(sub, variables: variables) { correlated += 1 }
        }
        let started = await startInstances(variables: variables, correlationKey: nil) { e in
            if case .signalStartEvent(let s) = e.kind { s == name } else { false }
        }
        return (correlated, started)
    }

    /// Delivers to one subscription (closing it); false when its instance no longer waits there,
    /// and the subscription left behind is deleted.
    mutating func correlate(_ sub: MessageSubscription, variables: [String: Value]) async throws -> Bool {
        routing.closedSubscriptions.insert(sub.id)
        do {
            let s = try await applyCommand(.correlateMessage(subscriptionId: sub.id, variables: variables),
                to: sub.instanceId)
            // taken: its row goes (else a later message with its name and key would meet it first,
            // stale, and miss the instance's next wait); a subscription still armed stays
            if !Self.waits(s, on: sub.id) {
                if let i = commit.subscriptionsToAdd.firstIndex(where: { $0.id == sub.id }) {
                    commit.subscriptionsToAdd.remove(at: i)
                } else {
                    commit.subscriptionsToDelete.append(sub.id)
                }
            }
            return true
        } catch is CommandRejection {
            commit.subscriptionsToDelete.append(sub.id)
            return false
        }
    }

    /// Whether an instance still waits on a subscription (a repeating event sub-process start,
    /// a path or boundary event armed with it).
    static func waits(_ s: InstanceState, on id: String) -> Bool {
        guard s.status.isActive else { return false }
        if s.processTriggers.contains(where: { $0.timerId == id }) { return true }
        return s.tokens.contains { t in
            if t.id == id || t.boundaryTimers.contains(where: { $0.timerId == id }) { return true }
            if case .eventGateway(let armed) = t.wait { return armed.contains { $0.subscriptionId == id } }
            return false
        }
    }

    /// Starts an instance of the latest version of every (not retired) definition with a start
    /// event that `matches`; returns their ids.
    mutating func startInstances(variables: [String: Value], correlationKey: String?, at matches: (FlowElement) -> Bool) async -> [String] {
        var started: [String] = []
        for (def, version) in registry.all where !registry.retired.contains(def.id) {
            guard let start = def.elements.first(where: { $0.parent == nil && matches($0) }) else { continue }
            let id = UUIDv7.make(now)
            record(Engine.start(def, instanceId: id, version: version, variables: variables, correlationKey: correlationKey,
                                startEvent: start.id, now: now), expected: nil)
            started.append(id)
        }
        return started
    }

    /// Delivers one message: to a subscription, else to message start events, else to the buffer.
    mutating func deliver(message m: PublishedMessage) async throws -> Runtime.MessageOutcome {
        var sub = routing.openedSubscriptions.first { $0.name == m.name && $0.correlationKey == m.correlationKey && !routing.closedSubscriptions.contains($0.id) }
        if sub == nil, let stored = try await reading().subscription(name: m.name, correlationKey: m.correlationKey),
           !routing.closedSubscriptions.contains(stored.id) {
            sub = stored
        }
        if let sub {
            guard try await correlate(sub, variables: m.variables) else { return try await deliver(message: m) }
            return .correlated(instanceId: sub.instanceId)
        }
        let started = await startInstances(variables: m.variables, correlationKey: m.correlationKey) { e in
            if case .messageStartEvent(let md) = e.kind { md.name == m.name } else { false }
        }
        if !started.isEmpty { return .started(instanceIds: started) }
        if m.timeToLive > 0 {
            commit.messagesToBuffer.append(BufferedMessage(id: UUIDv7.make(now), message: m, expiresAt: now.addingTimeInterval(m.timeToLive)))
            return .buffered
        }
        return .dropped
    }
}
