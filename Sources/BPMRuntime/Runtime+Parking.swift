import Foundation

/// Parked tasks: callers waiting until the runtime is idle (workers waiting for jobs wait in
/// `Runtime+HandOff.swift`).
extension Runtime {
    /// What parked tasks wait for.
    enum WaitFor: Hashable {
        case idle
    }

    /// Whether nothing is queued, being committed or running.
    var isIdle: Bool { !draining && pending.isEmpty && jobs.isIdle }

    /// Waits until no work is queued and no job is running, or the waiting task is cancelled
    /// (a shutdown past its bound: what is still running resumes at the next start).
    public func waitIdle() async {
        if isIdle { return }
        await park(.idle)
    }

    /// Parks the calling task until `what` happens, `seconds` pass, or the task is cancelled.
    func park(_ what: WaitFor, atMost seconds: Double? = nil) async {
        lastWaiter += 1
        let id = lastWaiter
        let timeout = seconds.map { s in
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(s * 1e9))
                await self?.unpark(what, id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                if Task.isCancelled { c.resume() } else { waiters[what, default: [:]][id] = c }
            }
        } onCancel: {
            Task { await self.unpark(what, id) }
        }
        timeout?.cancel()
    }

    /// Resumes every task parked for `what`.
    func wakeAll(_ what: WaitFor) { waiters.removeValue(forKey: what)?.values.forEach { $0.resume() } }

    /// Resumes one parked task alone (its timeout ran out, or its task was cancelled).
    private func unpark(_ what: WaitFor, _ id: Int) { waiters[what]?.removeValue(forKey: id)?.resume() }
}
