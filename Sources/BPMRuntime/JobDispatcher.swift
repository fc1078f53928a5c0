import BPMEngine

/// Which connector jobs run now: at most `maxRunning` at once, the rest queued in order;
/// each job once, however often it is dispatched (after a restart or a takeover). Jobs for
/// external workers are not run here: their workers are woken. A value whose transitions
/// return what to do; the runtime runs the jobs (`Runtime+Jobs.swift`).
struct JobDispatcher: Sendable {
    /// What the runtime does with a dispatched job.
    enum Action: Equatable, Sendable {
        /// Run it through its connector now.
        case run(JobRecord)
        /// Wake the workers long-polling for jobs of this type.
        case wakeWorkers(type: String)
        /// Nothing: it runs already, or waits for a free slot.
        case none
    }

    /// Most jobs running at once.
    var maxRunning: Int
    /// Jobs running or queued, by id.
    private(set) var inflight: Set<String> = []
    /// Jobs waiting for a free slot, in order.
    private(set) var queued: [JobRecord] = []
    private(set) var running = 0

    init(maxRunning: Int) { self.maxRunning = maxRunning }

    /// Jobs not finished: running or queued.
    var unfinished: Int { running + queued.count }

    /// Whether no job runs or waits.
    var isIdle: Bool { running == 0 && queued.isEmpty }

    /// A job to perform. `inProcess`: a connector of this engine performs its action (else an
    /// external job waits for a worker to activate it).
    mutating func dispatch(_ job: JobRecord, inProcess: Bool) -> Action {
        if job.external && !inProcess { return .wakeWorkers(type: job.action) }
        guard inflight.insert(job.id).inserted else { return .none }
        if running >= maxRunning {
            queued.append(job)
            return .none
        }
        running += 1
        return .run(job)
    }

    /// A job finished; returns the next queued job to run now, if any.
    mutating func finished(_ job: JobRecord) -> JobRecord? {
        running -= 1
        inflight.remove(job.id)
        guard !queued.isEmpty, running < maxRunning else { return nil }
        running += 1
        return queued.removeFirst()
    }

    /// Whether a job runs or waits here.
    func contains(_ id: String) -> Bool { inflight.contains(id) }
}
