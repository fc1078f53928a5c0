import BPMEngine
import BPMStore
import Foundation

/// Answering written batches. A batch whose write failed is handled as `BatchRecovery`
/// decides: its items are applied again, each on fresh state, from a work list processed
/// depth first (each item's own retries before the next item), so items are answered in
/// their order, once each, without recursion.
extension Runtime {
    /// One step of answering.
    private enum Step {
        /// A batch was written (or its write failed): answer it, or recover.
        case written(Prepared, Written)
        /// Apply these items as a batch of their own and write it.
        case apply([Pending])
        /// Tell a taken-apart intake batch's caller each event's own result.
        case answerTakenApart(Pending, Locked<[Result<[EventOutcome], any Error>]>)
    }

    /// Answers a written batch, and recovers from a failed write.
    func finish(_ prepared: Prepared, written: Written) async {
        var stack: [Step] = [.written(prepared, written)]
        while let step = stack.popLast() {
            switch step {
            case .written(let p, let w):
                // pushed in reverse: the first follow-up is taken next
                stack += answer(p, w).reversed()
            case .apply(let items):
                var o = openBatch(at: clock.now(), after: nil)
                await apply(items, to: &o)
                let p = close(o)
                let written: (failure: (any Error)?, seconds: Double)
                if let refused = p.refused {
                    written = (refused, 0)
                } else {
                    written = await store.queuedCommit(p.commit)
                }
                let (failure, seconds) = written
                stack.append(.written(p, Written(failure: failure, seconds: seconds)))
            case .answerTakenApart(let original, let results):
                original.finish(.success(.eventResults(results.withLock { $0 })))
            }
        }
    }

    /// Answers a written batch's items, or returns the steps that recover it.
    private func answer(_ p: Prepared, _ w: Written) -> [Step] {
        // committed or not, the fired timers are no longer in flight: stored ones are fetched again
        timers.done(p.firedTimers)
        let decision = BatchRecovery.decide(Self.failureKind(w.failure), Self.shape(p.batch))
        if decision != .answer { answerHandOff(p.grants, committed: false) }
        switch decision {
        case .answer:
            committed(p, seconds: w.seconds)
            return []
        case .takeIntakeApart:
            guard case .intakeBatch(let items) = p.batch[0].work else { return [] }
            let results = Locked<[Result<[EventOutcome], any Error>]>(Array(repeating: .success([]), count: items.count))
            let each: [Step] = items.enumerated().map { i, item in
                .apply([Pending(work: .intake(item), continuation: nil, callback: { r in
                    results.withLock { $0[i] = r.map { w in if case .events(let o) = w { o } else { [] } } }
                })])
            }
            return each + [.answerTakenApart(p.batch[0], results)]
        case .eachAlone:
            return p.batch.map { .apply([$0]) }
        case .again(let attempt):
            var again = p.batch[0]
            again.attempts = attempt
            return [.apply([again])]
        case .skipTimer:
            logger.debug("timer skipped: another replica fired it (\(w.failure.map { "\($0)" } ?? ""))")
            p.batch[0].finish(.success(.none))
            return []
        case .fail(let requeue):
            failed(p, w.failure ?? StoreError.unavailable("unknown failure"), requeueJobResults: requeue)
            return []
        }
    }

    /// A committed batch: counted, logged, answered, and its jobs dispatched.
    private func committed(_ p: Prepared, seconds: Double) {
        EngineMetrics.committed(p.commit, items: p.batch.count, seconds: seconds)
        EngineMetrics.throttled(dropped: p.throttled, queued: p.throttleQueued)
        stats.throttled += p.throttled.values.reduce(0, +)
        stats.throttleQueued += p.throttleQueued.values.reduce(0, +)
        logCommitted(p.commit)
        stats.batches += 1
        stats.committedItems += p.batch.count
        stats.maxBatchSize = max(stats.maxBatchSize, p.batch.count)
        if !store.sharedByReplicas { windowCache.committed(p.commit.windows) }
        for observe in commitObservers { observe(p.commit) }
        changes.notify(.of(p.commit))
        for (item, result) in zip(p.batch, p.results) { item.finish(result) }
        answerHandOff(p.grants, committed: true)
        for job in p.commit.jobsToAdd where p.commit.jobLocks[job.id] == nil { dispatch(job) }
    }

    /// A batch that failed for good: its items are told why.
    private func failed(_ p: Prepared, _ error: any Error, requeueJobResults: Bool) {
        switch error {
        case StoreError.conflict(let id):
            logger.warning("gave up after \(p.batch.first?.attempts ?? 0) conflicts on instance \(id)")
        case StoreError.offsetConflict(let topic, let partition):
            logger.info("events of \(topic)/\(partition) not applied: its stored position moved")
        case Runtime.RuntimeError.runaway(let why):
            logger.error("\(why)")
        default:
            logger.error("commit of \(p.batch.count) item(s) failed: \(error)")
        }
        for item in p.batch { item.finish(.failure(error)) }
        guard requeueJobResults else { return }
        // job results exist only here: queue them again after a pause so the outcome of work
        // already done is not lost
        let redo = p.batch.compactMap { item -> Work? in if case .jobResult = item.work { item.work } else { nil } }
        Task {
            try? await Task.sleep(nanoseconds: 500_000_000)
            for w in redo { self.enqueue(w) }
        }
    }

    static func failureKind(_ failure: (any Error)?) -> BatchRecovery.Failure? {
        switch failure {
        case nil: nil
        case StoreError.conflict?: .conflict
        case StoreError.offsetConflict?: .offsetConflict
        case Runtime.RuntimeError.runaway?: .runaway
        default: .other
        }
    }

    static func shape(_ batch: [Pending]) -> BatchRecovery.Shape {
        var s = BatchRecovery.Shape(items: batch.count)
        s.jobResults = batch.contains { if case .jobResult = $0.work { true } else { false } }
        if batch.count == 1 {
            if case .intakeBatch(let items) = batch[0].work, items.count > 1 { s.intakeBatch = true }
            if case .timer = batch[0].work { s.timer = true }
            s.attempts = batch[0].attempts
        }
        return s
    }

    /// Engine lines for what a commit made durable: incidents always (warning), every step at
    /// debug level; each with the instance, element and definition as metadata.
    func logCommitted(_ commit: CommitBatch) {
        var definitionOf: [String: String] = [:]
        for w in commit.instances { definitionOf[w.state.id] = w.state.definitionId }
        for i in commit.incidentsToAdd {
            logger.warning("incident at \(i.elementId): \(i.message)",
                           metadata: ["instance": "\(i.instanceId)", "element": "\(i.elementId)",
                                      "definition": "\(definitionOf[i.instanceId] ?? "")", "incident": "\(i.id)"])
        }
        guard logger.logLevel <= .debug else { return }
        for h in commit.history {
            logger.debug("\(h.elementType) \(h.event)",
                         metadata: ["instance": "\(h.instanceId)", "element": "\(h.elementId)",
                                    "definition": "\(definitionOf[h.instanceId] ?? "")"])
        }
    }
}
