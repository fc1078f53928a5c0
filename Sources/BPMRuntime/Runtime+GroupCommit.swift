import BPMEngine
import BPMStore
import Foundation

/// The group commit's driver: performs the `CommitPipeline`'s actions (apply queued work to
/// the open batch, launch its write, wait) and answers written batches, applying the items of
/// a failed one again as `BatchRecovery` decides.
///
/// Batches are written and answered in order, and a batch that reads the store (an instance
/// to load, a subscription, a buffered message…) reads only once every batch before it has
/// finished, so it never sees state older than its predecessors'. The running instances for
/// its events' keys are read up front without waiting: what the batches in flight claim and
/// release is laid over the answer.
extension Runtime {
    /// A batch applied and ready to commit.
    struct Prepared: Sendable {
        var batch: [Pending]
        var results: [Result<WorkResult, any Error>]
        var commit: CommitBatch
        var firedTimers: [String]
        /// Correlation keys the batch claims or releases.
        var keys: [String: [String: String?]] = [:]
        /// Why the batch must not be written (an item looped through other instances): it fails
        /// as a write would, and recovery applies its items again alone.
        var refused: Runtime.RuntimeError?
        /// Trigger starts the batch's throttles dropped and queued, by definition id (counted
        /// once the batch is committed).
        var throttled: [String: Int] = [:]
        var throttleQueued: [String: Int] = [:]
        /// Its new jobs handed to waiting workers, told them once it is committed.
        var grants: [JobHandOff.Grant] = []
    }

    /// A batch being applied, still taking work.
    struct OpenBatch {
        var context: BatchContext
        var batch: [Pending] = []
        var results: [Result<WorkResult, any Error>] = []
    }

    /// How a batch's write went.
    struct Written: Sendable {
        var failure: (any Error)?
        var seconds: Double
    }

    /// Resumes the drain loop if it waits (new work, or a write or batch ended).
    func wakeDrain() {
        drainWakeup?.resume()
        drainWakeup = nil
    }

    /// Commits queued work in batches until nothing is queued, open or in flight.
    func drain() async {
        var open: OpenBatch?
        while true {
            switch pipeline.next(pending: pending.count, now: clock.now()) {
            case .launch:
                if let o = open { launch(close(o)) }
                open = nil
            case .apply(let n, _):
                var o = open ?? openBatch(at: pipeline.open?.openedAt ?? clock.now(), after: lastFinish)
                let chunk = Array(pending.prefix(n))
                pending.removeFirst(n)
                let weight = await apply(chunk, to: &o)
                pipeline.applied(items: chunk.count, weight: weight)
                open = o
            case .wait:
                await withCheckedContinuation { drainWakeup = $0 }
            case .stop:
                draining = false
                let drained = drainWaiters
                drainWaiters.removeAll()
                drained.forEach { $0.resume() }
                if jobs.isIdle { wakeAll(.idle) }
                return
            }
        }
    }

    /// Queues a closed batch's write behind the one before (encoded now, while that one is
    /// written), then answers it once written and every batch before it has finished.
    func launch(_ prepared: Prepared) {
        closedBatches += 1
        let id = closedBatches
        if !prepared.keys.isEmpty { keysInFlight.append((id, prepared.keys)) }
        let outcome = OnceValue<Written>()
        if let refused = prepared.refused {
            outcome.set(Written(failure: refused, seconds: 0))
        } else {
            store.queueCommit(prepared.commit) { outcome.set(Written(failure: $0, seconds: $1)) }
        }
        let previous = lastFinish
        lastFinish = Task {
            let written = await outcome.value
            // written: its keys are in the store; failed: they never will be (its items are
            // applied again, and must not see them)
            self.keysInFlight.removeAll { $0.batch == id }
            self.pipeline.written()
            self.wakeDrain()
            await previous?.value
            await self.finish(prepared, written: written)
            self.pipeline.answered()
            self.wakeDrain()
        }
    }

    /// A new batch at `now`; its first read of the store waits for `previous` (the batch being
    /// committed meanwhile) to finish.
    func openBatch(at now: Date, after previous: Task<Void, Never>?) -> OpenBatch {
        var ctx = BatchContext(store: store, now: now, registry: registry, after: previous)
        ctx.silences = silences
        if !store.sharedByReplicas { ctx.windowCache = windowCache }
        return OpenBatch(context: ctx)
    }

    /// Applies work items to an open batch; returns their weight (each consumed event of an
    /// intake batch counts).
    @discardableResult
    func apply(_ items: [Pending], to o: inout OpenBatch) async -> Int {
        await o.context.prefetchActiveInstances(items, overlay: keysInFlight.map(\.keys))
        o.batch.reserveCapacity(o.batch.count + items.count)
        o.results.reserveCapacity(o.batch.count + items.count)
        var weight = 0
        for item in items {
            o.batch.append(item)
            if case .intakeBatch(let events) = item.work { weight += events.count } else { weight += 1 }
            do {
                o.results.append(.success(try await o.context.apply(item.work)))
            } catch {
                o.results.append(.failure(error))
            }
        }
        return weight
    }

    /// What an open batch writes; what it learnt (definitions another replica deployed, its
    /// counters) becomes the runtime's.
    func close(_ o: OpenBatch) -> Prepared {
        let ctx = o.context
        for (def, version) in ctx.discovered where loadedVersions.insert(.init(id: def.id, version: version)).inserted {
            registry.add(def, version: version)
        }
        for why in ctx.unreadable { logger.error("\(why)") }
        stats.keysSeenInFlight += ctx.counters.keysSeenInFlight
        stats.keysFoundReleased += ctx.counters.keysFoundReleased
        var commit = ctx.commitBatch()
        if let topic = lifecycleTopic { commit.outbox = Lifecycle.events(of: commit, topic: topic) }
        if store.sharedByReplicas {
            commit.owner = owner
            commit.leaseUntil = ctx.now.addingTimeInterval(lease)
            commit.timersFired = ctx.firedTimers
        }
        let grants = ctx.refused == nil ? handOffJobs(&commit, now: ctx.now) : []
        return Prepared(batch: o.batch, results: o.results, commit: commit, firedTimers: ctx.firedTimers,
                        keys: ctx.keys, refused: ctx.refused, throttled: ctx.counters.throttled,
                        throttleQueued: ctx.counters.throttleQueued, grants: grants)
    }
}
