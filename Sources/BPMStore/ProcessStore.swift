import BPMEngine
import BPMExpressions
import Foundation

/// Durable storage for definitions, instances, history, timers, jobs, user tasks, incidents
/// and logs. The runtime depends on this protocol only; SQLite and PostgreSQL implement it.
public protocol ProcessStore: ScheduleStore {
    /// Creates or upgrades the schema (named, ordered migrations).
    func migrate() async throws

    /// Stores a definition version. Identical content (same hash) returns the existing version.
    func saveDefinition(id: String, name: String, format: String, source: String, contentHash: String, origin: String, at: Date) async throws -> DefinitionRecord
    /// Every stored version of every definition, oldest first (not those deleted).
    func definitions() async throws -> [DefinitionRecord]
    /// Deletes a definition version (a decision's or a form's, Zeebe's DeleteResource): later
    /// `definitions()` omit it; its version number is not given again. False when there is
    /// no such version (or it was deleted before).
    func deleteDefinition(id: String, version: Int, at: Date) async throws -> Bool

    /// Loads an instance's full state.
    func instance(_ id: String) async throws -> InstanceState?
    /// The running instance of a definition for a correlation key, if any.
    func activeInstance(definitionId: String, correlationKey: String) async throws -> String?
    /// The running (or suspended) instances for many correlation keys of several definitions
    /// in one query: definition id → key → instance id (pairs without one are absent).
    func activeInstances(definitionIds: [String], correlationKeys: [String]) async throws -> [String: [String: String]]
    /// Lists instances.
    func instances(_ query: InstanceQuery) async throws -> [InstanceSummary]
    /// Counts instances by status.
    func countInstances(status: InstanceStatus?) async throws -> Int

    /// Writes a batch in one transaction. Throws `StoreError.conflict` when an instance's
    /// stored revision is not the expected one; nothing is written then.
    func commit(_ batch: CommitBatch) async throws

    /// Queues a batch to be written as `commit` writes it, after every batch queued before it
    /// (calls in order are written in that order), and returns at once; `done` is told the
    /// outcome and how long the write took (seconds). What can be prepared without the
    /// database (encoding rows) is done in the call, so it overlaps the write before.
    func queueCommit(_ batch: CommitBatch, done: @escaping @Sendable (_ failure: (any Error)?, _ seconds: Double) -> Void)

    /// Timers due at or before `date`, soonest first.
    func dueTimers(before date: Date, limit: Int) async throws -> [TimerRecord]
    /// When the soonest pending timer is due.
    func nextTimerDue() async throws -> Date?
    /// Jobs written but not yet completed (to dispatch after a restart).
    func pendingJobs(limit: Int) async throws -> [JobRecord]
    /// Locks up to `max` available jobs of a type for a worker until `until` (oldest first);
    /// jobs whose lock expired are available again.
    func activateJobs(type: String, worker: String, max: Int, until: Date, now: Date) async throws -> [JobRecord]
    /// A job by id, with its lock owner.
    func job(_ id: String) async throws -> (job: JobRecord, lockedBy: String?)?

    /// The oldest open subscription for a message name and correlation key.
    func subscription(name: String, correlationKey: String?) async throws -> MessageSubscription?
    /// Every open subscription with a name (signal broadcasts), oldest first.
    func subscriptions(name: String, limit: Int) async throws -> [MessageSubscription]
    /// The oldest unexpired buffered message for a name and correlation key.
    func bufferedMessage(name: String, correlationKey: String?, at: Date) async throws -> BufferedMessage?

    /// Sets an open task's assignee; with `onlyIfUnassigned`, only when it has none (a claim).
    /// Returns whether the task was changed.
    func assignTask(_ id: String, assignee: String?, onlyIfUnassigned: Bool) async throws -> Bool

    func history(instanceId: String) async throws -> [HistoryEntry]
    /// An instance's armed timers, soonest first (by the `timers_instance` index).
    func timers(instanceId: String) async throws -> [TimerRecord]
    /// Per element of a definition (all its versions): how often it was activated and how long
    /// its activations took on average until completion (see `ElementStatistics`).
    func elementStatistics(definitionId: String) async throws -> [ElementStatistics]
    func userTask(_ id: String) async throws -> UserTaskRecord?
    func userTasks(_ query: TaskQuery) async throws -> [UserTaskRecord]
    func incidents(instanceId: String?, openOnly: Bool) async throws -> [IncidentRecord]
    /// Incidents matching a query, oldest first.
    func incidents(_ query: IncidentQuery) async throws -> [IncidentRecord]
    func incident(_ id: String) async throws -> IncidentRecord?

    /// Writes a `database_log` message; a second write with the same id is ignored.
    func appendLog(_ log: LogRecord) async throws
    func logs(instanceId: String?) async throws -> [LogRecord]

    /// The stored positions of a Kafka consumer group (next offset per partition).
    func consumerOffsets(group: String) async throws -> [StoredOffset]
    /// Sets the stored positions of a group on a topic (one partition, or all) to `next`: the
    /// operator's reset after the topic was recreated. Returns how many positions changed.
    func resetConsumerOffsets(group: String, topic: String, partition: Int32?, to next: Int64) async throws -> Int
    /// The stored state of a trigger's event pattern for a correlation key.
    func eventWindow(definitionId: String, key: String) async throws -> Value?
    /// Every stored event-pattern state of a definition id (silence triggers read theirs at start).
    func eventWindows(definitionId: String) async throws -> [(key: String, state: Value)]
    /// A page of them: at most `limit`, in key order, the first after `after` (a bounded sweep).
    func eventWindows(definitionId: String, after: String?, limit: Int) async throws -> [(key: String, state: Value)]
    /// The answer stored for an idempotent API start's key.
    func startRecord(key: String) async throws -> StartRecord?
    /// The oldest messages waiting in the outbox.
    func outbox(limit: Int) async throws -> [OutboxRecord]
    /// Removes published outbox messages.
    func deleteOutbox(_ ids: [String]) async throws

    /// The durable numbers of objects exposed through Camunda's protocols (`camunda_keys`), in
    /// the order asked: each (kind, id) gets the next number of the table's sequence the first
    /// time it is asked for, and keeps it (replicas sharing the store agree).
    func camundaKeys(_ refs: [KeyRef]) async throws -> [Int64]
    /// What a number of `camundaKeys` was assigned to.
    func camundaRef(_ number: Int64) async throws -> KeyRef?
    /// `count` fresh numbers of the `camunda_keys` sequence that name nothing (keys of one-off
    /// objects no call looks up again: published messages, signals, evaluations): no row is kept.
    func camundaFreshKeys(_ count: Int) async throws -> [Int64]
    /// Claims a published message's `messageId` (with the message's name) until `expiresAt`:
    /// true when no message with the pair is still buffered (a claim expired by `now` is taken
    /// over), false when one is. Claims expired by `now` are deleted (replicas share the table).
    func claimMessageId(name: String, messageId: String, expiresAt: Date, now: Date) async throws -> Bool
    /// Moves the end of a locked job's lock (Zeebe's UpdateJobTimeout); false when the job is
    /// not locked to a worker.
    func extendJobLock(_ id: String, until: Date) async throws -> Bool

    /// Whether several engine processes may share this store (then due timers and pending
    /// jobs are claimed, not just read).
    var sharedByReplicas: Bool { get }
    /// Claims up to `limit` due timers not claimed by a live process, until `leaseUntil`.
    func claimTimers(before date: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [TimerRecord]
    /// Claims up to `limit` in-process jobs whose lease ran out (their process died), until `leaseUntil`.
    func claimJobs(owner: String, leaseUntil: Date, now: Date, limit: Int) async throws -> [JobRecord]
}

extension ProcessStore {
    /// Queues a batch and waits for its outcome.
    public func queuedCommit(_ batch: CommitBatch) async -> (failure: (any Error)?, seconds: Double) {
        await withCheckedContinuation { c in queueCommit(batch) { c.resume(returning: ($0, $1)) } }
    }

    /// A store used by one process: nothing to share.
    public var sharedByReplicas: Bool { false }

    public func claimTimers(before date: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [TimerRecord] {
        try await dueTimers(before: date, limit: limit)
    }

    public func claimJobs(owner: String, leaseUntil: Date, now: Date, limit: Int) async throws -> [JobRecord] { [] }
}

/// An object of a kind, by our id (for `camundaKeys`).
public struct KeyRef: Sendable, Hashable {
    public var kind: String
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}

/// Store failures the runtime handles.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// Another writer changed the instance first.
    case conflict(instanceId: String)
    /// A consumed partition's stored position is not the one the batch follows (another
    /// consumer moved it, or an earlier batch of the partition failed): nothing is written.
    case offsetConflict(topic: String, partition: Int32)
    /// The store cannot be reached.
    case unavailable(String)

    public var description: String {
        switch self {
        case .conflict(let id): "instance \(id) was changed concurrently"
        case .offsetConflict(let topic, let partition): "the stored position of \(topic)/\(partition) moved: another consumer or a failed batch"
        case .unavailable(let m): "store unavailable: \(m)"
        }
    }
}

/// Writes one after another, in the order queued: for stores whose writes are not serial by
/// themselves (each waits for the one queued before it).
public final class CommitChain: Sendable {
    let last = Locked<Task<Void, Never>?>(nil)

    public init() {}

    public func queue(_ write: @escaping @Sendable () async throws -> Void, done: @escaping @Sendable ((any Error)?, Double) -> Void) {
        last.withLock { last in
            let previous = last
            last = Task {
                await previous?.value
                let started = DispatchTime.now().uptimeNanoseconds
                var failure: (any Error)?
                do { try await write() } catch { failure = error }
                done(failure, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            }
        }
    }
}
