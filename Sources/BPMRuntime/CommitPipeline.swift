import Foundation

/// When a batch commits: the group-commit pipeline's decisions, as a value whose transitions
/// return actions (the swift-nio way). The runtime's drain loop performs the actions and
/// reports back; this type does no I/O and reads no clock.
///
/// The pipeline has three stages: one batch is being written; the next is closed, encoded and
/// queued behind it; a third is open and takes in the work arriving meanwhile, applied as it
/// comes. When the writer is idle the open batch is closed and written at once; while a write
/// is under way the open batch keeps taking work until it weighs `closeWeight`, then it is
/// closed and queued, so the writer goes on without a pause. Batch sizes thus follow the load
/// by themselves, and the engine's work (applying, encoding, answering) overlaps the store's.
struct CommitPipeline: Sendable {
    /// What the drain loop does next.
    enum Action: Equatable, Sendable {
        /// Apply this many queued work items to the open batch (opening one first when `open`).
        case apply(count: Int, open: Bool)
        /// Close the open batch and queue its write (then report `launched`).
        case launch
        /// Wait until work arrives or a write or batch ends.
        case wait
        /// Nothing is open or in flight: the drain loop ends.
        case stop
    }

    /// The open batch, as far as the decisions need it.
    struct Open: Equatable, Sendable {
        /// Work items applied (an intake batch counts once).
        var items = 0
        /// Work items, counting each consumed event of an intake batch.
        var weight = 0
        /// The time of everything applied in it.
        var openedAt: Date
    }

    /// Most work items in one batch.
    var maxBatch: Int
    /// Most work items applied in one go (so a finished write is followed quickly by a close).
    var chunk = 64
    /// The weight at which an open batch is worth queueing behind the write under way.
    var closeWeight = 64
    /// How long an open batch takes work (seconds of its time): its `now` stays fresh.
    var maxAge = 0.05

    private(set) var open: Open?
    /// Closed batches whose write has not ended.
    private(set) var writesQueued = 0
    /// Closed batches not yet answered.
    private(set) var batchesInFlight = 0

    init(maxBatch: Int) { self.maxBatch = maxBatch }

    /// Whether nothing is open, queued or being answered.
    var isIdle: Bool { open == nil && batchesInFlight == 0 }

    /// The next action, given how many work items are queued and the clock's time.
    mutating func next(pending: Int, now: Date) -> Action {
        if open != nil, writesQueued == 0 {
            // the writer is idle: give it what is open now
            return close()
        }
        if pending > 0, open.map({ takesMore($0, now: now) }) ?? true {
            let opening = open == nil
            let taken = open?.items ?? 0
            if opening { open = Open(openedAt: now) }
            return .apply(count: min(maxBatch - taken, pending, chunk), open: opening)
        }
        if let o = open, writesQueued == 1, o.weight >= closeWeight {
            // a write is under way and enough is open to be worth writing next
            return close()
        }
        return isIdle ? .stop : .wait
    }

    /// Items applied to the open batch (after `.apply`).
    mutating func applied(items: Int, weight: Int) {
        open?.items += items
        open?.weight += weight
    }

    /// A launched batch's write ended (committed or failed).
    mutating func written() {
        precondition(writesQueued > 0, "a write ended that was not queued")
        writesQueued -= 1
    }

    /// A launched batch was answered (after every batch before it).
    mutating func answered() {
        precondition(batchesInFlight > 0, "a batch was answered that was not in flight")
        batchesInFlight -= 1
    }

    /// Whether an open batch takes more work: not when full, nor once its time is `maxAge`
    /// old or the clock was moved back.
    func takesMore(_ o: Open, now: Date) -> Bool {
        guard o.items < maxBatch else { return false }
        let age = now.timeIntervalSince(o.openedAt)
        return age >= 0 && age < maxAge
    }

    private mutating func close() -> Action {
        open = nil
        writesQueued += 1
        batchesInFlight += 1
        return .launch
    }
}

/// What to do with a batch whose write failed — decided from the failure and the batch's
/// shape alone. The runtime applies the work items again accordingly, one batch after
/// another from a work list (never by recursion), and answers each item once.
enum BatchRecovery: Equatable, Sendable {
    /// Committed: answer every item with its result.
    case answer
    /// A batch of consumed events refused as a whole: each event applied alone, so one refused
    /// record or conflicting instance does not sink the others; the batch's caller is told
    /// each event's own result.
    case takeIntakeApart
    /// Several items, one of them in conflict: each applied again alone on fresh state.
    case eachAlone
    /// One item in conflict: applied again (this is its attempt number `attempt`).
    case again(attempt: Int)
    /// A fired timer another replica fired first: done, nothing to answer.
    case skipTimer
    /// Failed for good: the items are told the error; job results (which exist only here)
    /// are queued again after a pause, so the outcome of work already done is not lost.
    case fail(requeueJobResults: Bool)

    /// Most attempts of one item in conflict.
    static let attempts = 4

    /// The shape of a batch, as far as recovery depends on it.
    struct Shape: Equatable, Sendable {
        var items: Int
        /// The single item is a batch of several consumed events.
        var intakeBatch = false
        /// The single item is a fired timer.
        var timer = false
        /// Times the single item was applied again after a conflict.
        var attempts = 0
        /// Some item is a job result.
        var jobResults = false
    }

    /// The failures recovery tells apart.
    enum Failure: Equatable, Sendable {
        /// `runaway`: the batch was not written, an item looped through other instances; as for
        /// a conflict, the other items are applied again alone, and the item alone fails.
        case conflict, offsetConflict, runaway, other
    }

    static func decide(_ failure: Failure?, _ shape: Shape) -> BatchRecovery {
        guard let failure else { return .answer }
        if failure == .other { return .fail(requeueJobResults: shape.jobResults) }
        // a conflict on an instance, or a consumed partition whose stored position moved
        if shape.items == 1 && shape.intakeBatch { return .takeIntakeApart }
        if shape.items > 1 { return .eachAlone }
        guard failure == .conflict else { return .fail(requeueJobResults: false) }
        if shape.attempts < attempts { return .again(attempt: shape.attempts + 1) }
        return shape.timer ? .skipTimer : .fail(requeueJobResults: false)
    }
}
