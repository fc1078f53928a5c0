import BPMEngine
import BPMExpressions
import BPMStore

/// What a batch routes before it commits: subscriptions opened and closed in it (a message
/// published in the same batch must see them), messages and signals thrown, called instances
/// to start or cancel.
struct Routing: Sendable {
    var openedSubscriptions: [MessageSubscription] = []
    var closedSubscriptions: Set<String> = []
    /// Opened and not yet offered the buffered messages waiting for them.
    var newSubscriptions: [MessageSubscription] = []
    var toPublish: [PublishedMessage] = []
    var childStarts: [ChildStart] = []
    var childCancels: [String] = []
    var signals: [(name: String, variables: [String: Value], from: String?)] = []
}

/// The one place where the engine core's effects are applied: each effect of a transition
/// becomes what the batch writes (timers, jobs, tasks, incidents, subscriptions — a timer,
/// job or subscription cancelled in the batch that created it is simply not written) and
/// what the batch routes before committing (messages, signals, called instances). The
/// production runtime and simulated runs (`bpm run`, `bpm test`) both apply effects here.
enum EffectApplier {
    static func apply(_ t: Transition, to c: inout CommitBatch, routing r: inout Routing) {
        c.history += t.history
        for e in t.effects {
            switch e {
            case .scheduleTimer(let timer): c.timersToAdd.append(timer)
            case .cancelTimer(let id):
                if let i = c.timersToAdd.firstIndex(where: { $0.id == id }) { c.timersToAdd.remove(at: i) } else { c.timersToDelete.append(id) }
            case .dispatchJob(let job): c.jobsToAdd.append(job)
            case .cancelJob(let id):
                if let i = c.jobsToAdd.firstIndex(where: { $0.id == id }) { c.jobsToAdd.remove(at: i) } else { c.jobsToDelete.append(id) }
            case .createUserTask(let task): c.tasksToAdd.append(task)
            case .closeUserTask(let id, let status, let at): c.taskUpdates.append((id, status, at))
            case .updateUserTask(let id, let status, let corrections):
                let k = TaskCorrection(id: id, status: status, corrections: corrections)
                if let i = c.tasksToAdd.firstIndex(where: { $0.id == id }) { k.apply(to: &c.tasksToAdd[i]) } else {
                    c.taskCorrections.append(k)
                }
            case .raiseIncident(let incident): c.incidentsToAdd.append(incident)
            case .resolveIncident(let id): c.incidentsResolved.append((id, t.history.last?.at ?? t.state.startedAt))
            case .openSubscription(let sub):
                c.subscriptionsToAdd.append(sub)
                r.openedSubscriptions.append(sub)
                r.newSubscriptions.append(sub)
            case .closeSubscription(let id):
                if let i = c.subscriptionsToAdd.firstIndex(where: { $0.id == id }) { c.subscriptionsToAdd.remove(at: i) } else {
                    c.subscriptionsToDelete.append(id)
                }
                r.closedSubscriptions.insert(id)
            case .publishMessage(let m): r.toPublish.append(m)
            case .startChild(let child): r.childStarts.append(child)
            case .cancelChild(let id): r.childCancels.append(id)
            case .broadcastSignal(let name, let vars, let from): r.signals.append((name, vars, from))
            }
        }
    }
}

extension CommitBatch {
    /// Adds a transition's state and effects, as a batch would write them (for tools and tests
    /// that write a transition directly).
    public mutating func add(_ t: Transition, expectedRevision: Int?) {
        instances.append(InstanceWrite(state: t.state, expectedRevision: expectedRevision))
        var routing = Routing()
        EffectApplier.apply(t, to: &self, routing: &routing)
    }
}
