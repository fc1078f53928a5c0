import Foundation
import Testing

@testable import BPMRuntime

/// The group commit's state machine, transition by transition (no I/O, no clock).
@Suite struct CommitPipelineTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func nothingQueuedNothingOpenStops() {
        var p = CommitPipeline(maxBatch: 2000)
        #expect(p.next(pending: 0, now: t0) == .stop)
        #expect(p.isIdle)
    }

    @Test func workOpensABatchInChunks() {
        var p = CommitPipeline(maxBatch: 2000)
        #expect(p.next(pending: 100, now: t0) == .apply(count: 64, open: true))
        #expect(p.open == CommitPipeline.Open(openedAt: t0))
        p.applied(items: 64, weight: 64)
        // the writer is idle: what is open is written at once, even with more work queued
        #expect(p.next(pending: 36, now: t0) == .launch)
        #expect(p.open == nil)
        #expect(p.writesQueued == 1)
        #expect(p.batchesInFlight == 1)
    }

    @Test func whileAWriteIsUnderWayTheOpenBatchTakesWorkUntilItIsWorthQueueing() {
        var p = CommitPipeline(maxBatch: 2000)
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 1)
        #expect(p.next(pending: 0, now: t0) == .launch)
        // a second batch opens behind the write and takes work while it is small
        #expect(p.next(pending: 10, now: t0) == .apply(count: 10, open: true))
        p.applied(items: 10, weight: 10)
        #expect(p.next(pending: 0, now: t0) == .wait)
        #expect(p.next(pending: 60, now: t0) == .apply(count: 60, open: false))
        p.applied(items: 60, weight: 60)
        // 70 ≥ 64 with one write queued: closed and queued behind it
        #expect(p.next(pending: 0, now: t0) == .launch)
        #expect(p.writesQueued == 2)
        // a third batch waits: two writes are queued, so it keeps taking work however large
        _ = p.next(pending: 100, now: t0)
        p.applied(items: 64, weight: 64)
        #expect(p.next(pending: 0, now: t0) == .wait)
    }

    @Test func anIntakeBatchWeighsItsEvents() {
        var p = CommitPipeline(maxBatch: 2000)
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 1)
        _ = p.next(pending: 0, now: t0)  // launched
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 500)  // one work item of 500 consumed events
        #expect(p.next(pending: 0, now: t0) == .launch)
    }

    @Test func anOpenBatchStopsTakingWorkWhenFullOrOld() {
        var p = CommitPipeline(maxBatch: 100)
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 1)
        _ = p.next(pending: 0, now: t0)  // launched: one write queued
        #expect(p.next(pending: 200, now: t0) == .apply(count: 64, open: true))
        p.applied(items: 64, weight: 1)
        #expect(p.next(pending: 136, now: t0) == .apply(count: 36, open: false))  // up to maxBatch
        p.applied(items: 36, weight: 1)
        #expect(p.next(pending: 100, now: t0) == .wait)  // full, light, and the writer busy
        var q = CommitPipeline(maxBatch: 100)
        _ = q.next(pending: 1, now: t0)
        q.applied(items: 1, weight: 1)
        _ = q.next(pending: 0, now: t0)
        _ = q.next(pending: 1, now: t0)
        q.applied(items: 1, weight: 1)
        // 60 ms later its time is stale: no more work until it is written
        #expect(q.next(pending: 5, now: t0.addingTimeInterval(0.06)) == .wait)
        // a clock moved back does not make it take work either
        #expect(q.next(pending: 5, now: t0.addingTimeInterval(-1)) == .wait)
    }

    @Test func writesAndAnswersEndTheRun() {
        var p = CommitPipeline(maxBatch: 2000)
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 1)
        _ = p.next(pending: 0, now: t0)
        #expect(p.next(pending: 0, now: t0) == .wait)  // the batch is in flight
        p.written()
        #expect(p.next(pending: 0, now: t0) == .wait)  // written but not answered
        p.answered()
        #expect(p.next(pending: 0, now: t0) == .stop)
    }

    @Test func whenTheWriteEndsTheOpenBatchIsWrittenNext() {
        var p = CommitPipeline(maxBatch: 2000)
        _ = p.next(pending: 1, now: t0)
        p.applied(items: 1, weight: 1)
        _ = p.next(pending: 0, now: t0)
        _ = p.next(pending: 3, now: t0)
        p.applied(items: 3, weight: 3)
        #expect(p.next(pending: 0, now: t0) == .wait)
        p.written()
        #expect(p.next(pending: 0, now: t0) == .launch)
    }
}

/// What a failed write means for its items.
@Suite struct BatchRecoveryTests {
    typealias Shape = BatchRecovery.Shape

    @Test func aCommittedBatchIsAnswered() {
        #expect(BatchRecovery.decide(nil, Shape(items: 30)) == .answer)
    }

    @Test func aConflictInABatchAppliesEachItemAlone() {
        #expect(BatchRecovery.decide(.conflict, Shape(items: 3)) == .eachAlone)
        #expect(BatchRecovery.decide(.offsetConflict, Shape(items: 3)) == .eachAlone)
    }

    @Test func aRefusedIntakeBatchIsTakenApart() {
        #expect(BatchRecovery.decide(.conflict, Shape(items: 1, intakeBatch: true)) == .takeIntakeApart)
        #expect(BatchRecovery.decide(.offsetConflict, Shape(items: 1, intakeBatch: true)) == .takeIntakeApart)
        // other failures are not about one event: the whole batch fails and is delivered again
        #expect(BatchRecovery.decide(.other, Shape(items: 1, intakeBatch: true)) == .fail(requeueJobResults: false))
    }

    @Test func oneItemInConflictIsTriedAgainABoundedNumberOfTimes() {
        var shape = Shape(items: 1)
        var tries = 0
        while case .again(let attempt) = BatchRecovery.decide(.conflict, shape) {
            #expect(attempt == shape.attempts + 1)
            shape.attempts = attempt
            tries += 1
            if tries > 10 { break }
        }
        #expect(tries == BatchRecovery.attempts)
        #expect(BatchRecovery.decide(.conflict, shape) == .fail(requeueJobResults: false))
        shape.timer = true
        #expect(BatchRecovery.decide(.conflict, shape) == .skipTimer)
    }

    /// A batch not written because one item looped through other instances: the others are
    /// applied again alone, and the item alone fails (it would loop again: no retry).
    @Test func aRunawayItemFailsAloneAndTheOthersAreAppliedAgain() {
        #expect(BatchRecovery.decide(.runaway, Shape(items: 3)) == .eachAlone)
        #expect(BatchRecovery.decide(.runaway, Shape(items: 1, intakeBatch: true)) == .takeIntakeApart)
        #expect(BatchRecovery.decide(.runaway, Shape(items: 1)) == .fail(requeueJobResults: false))
        #expect(BatchRecovery.decide(.runaway, Shape(items: 1, timer: true)) == .fail(requeueJobResults: false))
    }

    @Test func aMovedPositionFailsTheEventsOfThatPartition() {
        #expect(BatchRecovery.decide(.offsetConflict, Shape(items: 1)) == .fail(requeueJobResults: false))
    }

    @Test func aStoreFailureKeepsTheJobResults() {
        #expect(BatchRecovery.decide(.other, Shape(items: 4, jobResults: true)) == .fail(requeueJobResults: true))
        #expect(BatchRecovery.decide(.other, Shape(items: 4)) == .fail(requeueJobResults: false))
    }
}
