import BPMEngine
import BPMStore
import Foundation

/// Handing new jobs to waiting workers from the batch that creates them (`JobHandOff`): the
/// batch is written with the jobs locked to their workers, and once it is committed the
/// workers' long polls and streams get the jobs without reading the store.
extension Runtime {
    /// How many workers wait for jobs of a type and are free to be handed the next ones.
    public func waitingWorkers(_ type: String) -> Int { handOff.free(type).count }

    /// Waits up to `seconds` for jobs of `type` handed over by a committing batch. Empty when
    /// none came: the time ran out, the task was cancelled, or jobs of the type were committed
    /// while no worker was free to take them (they are in the store). Once a batch holds this
    /// waiter, it is answered when the batch is, even if cancelled (the caller then gives the
    /// jobs back, as it would after a store activation).
    func waitForJobs(type: String, worker: String, max: Int, lock: Double, atMost seconds: Double) async
        -> [ActivatedJob]
    {
        lastWaiter += 1
        let id = lastWaiter
        let timeout = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(Swift.max(0, seconds) * 1e9))
            await self?.endWait(id, type: type)
        }
        defer { timeout.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                if Task.isCancelled { return c.resume(returning: []) }
                jobWaiters[id] = c
                handOff.add(JobHandOff.Waiter(id: id, type: type, worker: worker, max: max, lock: lock))
            }
        } onCancel: {
            Task { await self.endWait(id, type: type) }
        }
    }

    /// Ends a free waiter's wait with nothing (a reserved one is answered with its batch).
    private func endWait(_ id: Int, type: String) {
        guard handOff.remove(id, type: type) else { return }
        jobWaiters.removeValue(forKey: id)?.resume(returning: [])
    }

    /// Jobs of `type` were committed and no worker took them: the free waiters look in the store.
    func wakeJobWaiters(_ type: String) {
        committedWithoutHandOff &+= 1
        for w in handOff.free(type) { endWait(w.id, type: type) }
    }

    /// Hands a closing batch's new worker jobs to free waiters: written locked to them (with
    /// the instance's definition version, which workers are told).
    func handOffJobs(_ commit: inout CommitBatch, now: Date) -> [JobHandOff.Grant] {
        guard handsOffJobs, !handOff.isEmpty, !commit.jobsToAdd.isEmpty else { return [] }
        let external = commit.jobsToAdd.filter { $0.external && !connectors.handles($0.action) }
        var grants = handOff.assign(external, now: now)
        guard !grants.isEmpty else { return [] }
        var versions: [String: Int] = [:]
        for w in commit.instances { versions[w.state.id] = w.state.definitionVersion }
        for g in grants.indices {
            for j in grants[g].jobs.indices {
                grants[g].jobs[j].definitionVersion = versions[grants[g].jobs[j].instanceId]
            }
        }
        commit.jobLocks = JobHandOff.locks(grants)
        return grants
    }

    /// A batch's grants once it is answered: its jobs to their workers when it was committed,
    /// nothing when it was not (the workers look in the store again).
    func answerHandOff(_ grants: [JobHandOff.Grant], committed: Bool) {
        guard !grants.isEmpty else { return }
        handOff.answered(grants)
        for g in grants {
            let jobs = committed ? g.jobs.map { ActivatedJob(job: $0, deadline: g.deadline) } : []
            jobWaiters.removeValue(forKey: g.waiter)?.resume(returning: jobs)
        }
    }
}
