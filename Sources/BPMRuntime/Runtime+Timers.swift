import BPMEngine
import BPMStore
import Foundation

/// The timer loop: claims due timers, hands them to the group commit in due order, and does
/// the periodic chores (`Housekeeping`).
extension Runtime {
    /// Enqueues every due timer not already in flight; returns how many.
    @discardableResult
    public func fireDueTimers(limit: Int = 5000) async throws -> Int {
        let now = clock.now()
        for chore in housekeeping.due(now: now, shared: store.sharedByReplicas, lease: lease) {
            switch chore {
            case .takeOverJobs: for j in try await takeOverJobs() { dispatch(j) }
            case .refreshDefinitions: try await loadDefinitions()
            case .pruneWindows:
                housekeeping.windowsPruned(at: now)
                try await pruneWindows()
            case .readLevels:
                housekeeping.levelsRead(at: now)
                EngineMetrics.levels(running: try await store.countInstances(status: .running),
                                     suspended: try await store.countInstances(status: .suspended))
            }
        }
        let claimed = try await store.claimTimers(before: now, limit: limit, owner: owner, leaseUntil: now.addingTimeInterval(lease))
        let due = timers.take(claimed)
        EngineMetrics.timersFired(due, now: now)
        for t in due { enqueue(.timer(t)) }
        return due.count + fireDueSilences(limit: limit)
    }

    func runTimerLoop() async {
        while !Task.isCancelled {
            do {
                if try await fireDueTimers() > 0 {
                    await waitCommitted()
                    continue
                }
                let now = clock.now()
                try await clock.sleep(until: TimerLoop.wake(now: now, next: try await store.nextTimerDue(), poll: timerPollInterval))
            } catch is CancellationError {
                return
            } catch {
                logger.error("timer loop: \(error)")
                try? await clock.sleep(until: clock.now().addingTimeInterval(1))
            }
        }
    }

    /// Waits until the queue has been committed (jobs may still run).
    func waitCommitted() async {
        if !draining && pending.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    /// Fires due timers and waits until everything that follows has been committed and every
    /// job has reported: for tests and simulations on a manual clock.
    public func settle() async throws {
        while true {
            await waitIdle()
            if try await fireDueTimers() == 0 && isIdle { return }
        }
    }
}
