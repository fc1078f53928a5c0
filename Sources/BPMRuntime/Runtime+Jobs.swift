import BPMEngine
import BPMStore
import Foundation

/// Connector jobs: run in process through the `JobDispatcher`, or activated by external
/// workers over the API (long polling).
extension Runtime {
    /// Runs a job through its connector, or wakes the workers of its type.
    func dispatch(_ job: JobRecord) {
        switch jobs.dispatch(job, inProcess: connectors.handles(job.action)) {
        case .run(let j): run(j)
        case .wakeWorkers(let type): wakeJobWaiters(type)
        case .none: break
        }
    }

    /// Performs a job (its slot is taken) and queues its result.
    private func run(_ job: JobRecord) {
        let connectors = self.connectors
        Task {
            let started = DispatchTime.now().uptimeNanoseconds
            let command = await connectors.execute(job)
            EngineMetrics.jobFinished(job, command, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            self.jobFinished(job, command)
        }
    }

    private func jobFinished(_ job: JobRecord, _ command: Command) {
        if case .jobFailed(_, let message, _, _) = command {
            logger.warning("job \(job.id) (\(job.action)) of instance \(job.instanceId) at \(job.elementId) failed: \(message)",
                           metadata: ["instance": "\(job.instanceId)", "element": "\(job.elementId)",
                                      "definition": "\(job.definitionId)", "job": "\(job.id)"])
        }
        enqueue(.jobResult(job, command))
        if let next = jobs.finished(job) { run(next) }
    }

    /// Jobs a worker took and gave back (a stream that could not deliver them), or whose lock
    /// was ended early: activatable again now, so the waiting workers of the type look.
    public func jobsReleased(type: String) { wakeJobWaiters(type) }

    /// Jobs whose lease ran out (their replica died): claimed for this process.
    func takeOverJobs() async throws -> [JobRecord] {
        let now = clock.now()
        housekeeping.tookOver(at: now)
        let claimed = try await store.claimJobs(owner: owner, leaseUntil: now.addingTimeInterval(lease), now: now, limit: 10_000)
        let fresh = claimed.filter { !jobs.contains($0.id) }
        if !fresh.isEmpty { logger.info("took over \(fresh.count) job(s) whose lease ran out") }
        return fresh
    }

    // MARK: external job workers

    /// A job handed to a worker.
    public struct ActivatedJob: Sendable {
        public var job: JobRecord
        public var deadline: Date
    }

    /// Locks up to `max` jobs of a type for a worker for `lock` seconds, waiting up to
    /// `requestTimeout` seconds (wall time) for one to become available (long poll); a
    /// cancelled caller gets what the last look found (nothing, or jobs it must give back).
    public func activateJobs(type: String, worker: String, max: Int, lock: Double, requestTimeout: Double) async throws
        -> [ActivatedJob]
    {
        let giveUp = Date().addingTimeInterval(requestTimeout)
        while true {
            let now = clock.now()
            let until = now.addingTimeInterval(lock)
            let seen = committedWithoutHandOff
            var found: [JobRecord] = []
            // a caller that waits skips a store look that cannot find anything (`StoreDrained`)
            if requestTimeout <= 0 || !(drained[type]?.holds(commits: seen, now: now) ?? false) {
                found = try await store.activateJobs(type: type, worker: worker, max: max, until: until, now: now)
                if found.count < max { drained[type] = StoreDrained(commits: seen, at: now) }
            }
            if !found.isEmpty || Date() >= giveUp || Task.isCancelled {
                return found.map { ActivatedJob(job: $0, deadline: until) }
            }
            // handed the jobs of the type a batch of this replica creates; looks in the store
            // again when one was committed meanwhile without a hand-off, and at the latest after
            // 250 ms (jobs another replica created, locks that ran out or were given back)
            let wait = min(0.25, giveUp.timeIntervalSinceNow)
            guard wait > 0, seen == committedWithoutHandOff else { continue }
            let handed = await waitForJobs(type: type, worker: worker, max: max, lock: lock, atMost: wait)
            if !handed.isEmpty { return handed }
        }
    }
}

extension Runtime {
    /// Applies a worker's result for an external job as Camunda's protocols report it
    /// (`.jobCompleted`, `.jobFailedWithRetries`, `.jobThrewErrorOrIncident`); returns the
    /// instance's state after it.
    public func reportJob(_ job: JobRecord, command: Command) async throws -> InstanceState? {
        // the state the batch committed; read only when the instance refused the report
        if let s = try await submitJobResult(job, command: command) { return s }
        return try await store.instance(job.instanceId)
    }

    /// `reportJob` for callers that answer without the instance's state (Zeebe's `CompleteJob`
    /// and its kin).
    public func applyJobResult(_ job: JobRecord, command: Command) async throws {
        _ = try await submitJobResult(job, command: command)
    }

    /// Commits a worker's report; the instance's state after it (nil when the instance refused it).
    func submitJobResult(_ job: JobRecord, command: Command) async throws -> InstanceState? {
        guard job.external else {
            throw RuntimeError.rejected("job \(job.id) is performed by the engine, not by a worker")
        }
        if let why = ListenerJobReport.refusal(command, for: job) { throw RuntimeError.rejected(why) }
        guard case .instance(let s) = try await submit(.jobResult(job, command)) else { return nil }
        return s
    }
}

/// A store activation of a job type that left none activatable behind (it found fewer than it
/// asked for). Until this replica commits a job of the type that no waiting worker took
/// (`Runtime.committedWithoutHandOff` moves on), and for at most `fresh` seconds of both wall
/// and engine time (jobs of other replicas, locks that ran out), another look finds nothing.
struct StoreDrained: Sendable {
    static let fresh = 0.25

    var commits: Int
    var at: Date
    var wall = DispatchTime.now().uptimeNanoseconds

    /// Whether a store look now would still find nothing.
    func holds(commits now: Int, now time: Date) -> Bool {
        let wallAge = Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9
        return commits == now && wallAge < Self.fresh && time.timeIntervalSince(at) < Self.fresh
    }
}
