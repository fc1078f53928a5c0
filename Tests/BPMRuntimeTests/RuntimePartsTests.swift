import BPMEngine
import BPMStore
import Foundation
import Testing

@testable import BPMRuntime

func job(_ id: String, action: String = "http", external: Bool = false) -> JobRecord {
    var j = JobRecord(id: id, instanceId: "i", definitionId: "d", elementId: "e", action: action, payload: .null, attempt: 1,
                      createdAt: Date(timeIntervalSince1970: 0))
    j.external = external
    return j
}

/// Which connector jobs run, and when.
@Suite struct JobDispatcherTests {
    @Test func jobsRunUpToTheBoundThenWaitInOrder() {
        var d = JobDispatcher(maxRunning: 2)
        #expect(d.dispatch(job("a"), inProcess: true) == .run(job("a")))
        #expect(d.dispatch(job("b"), inProcess: true) == .run(job("b")))
        #expect(d.dispatch(job("c"), inProcess: true) == .none)
        #expect(d.dispatch(job("d"), inProcess: true) == .none)
        #expect(d.unfinished == 4)
        #expect(d.finished(job("b")) == job("c"))
        #expect(d.finished(job("a")) == job("d"))
        #expect(d.finished(job("c")) == nil)
        #expect(!d.isIdle)
        #expect(d.finished(job("d")) == nil)
        #expect(d.isIdle)
    }

    @Test func aJobDispatchedTwiceRunsOnce() {
        var d = JobDispatcher(maxRunning: 8)
        #expect(d.dispatch(job("a"), inProcess: true) == .run(job("a")))
        // re-dispatched after a takeover while still running
        #expect(d.dispatch(job("a"), inProcess: true) == .none)
        #expect(d.unfinished == 1)
        _ = d.finished(job("a"))
        // once finished it may run again (its result was not committed)
        #expect(d.dispatch(job("a"), inProcess: true) == .run(job("a")))
    }

    @Test func externalJobsWakeTheirWorkers() {
        var d = JobDispatcher(maxRunning: 8)
        #expect(d.dispatch(job("w", action: "payment", external: true), inProcess: false) == .wakeWorkers(type: "payment"))
        #expect(d.isIdle)
        // an external job whose type a connector of this engine handles runs here
        #expect(d.dispatch(job("x", action: "http", external: true), inProcess: true) == .run(job("x", action: "http", external: true)))
    }
}

/// Due timers in flight, and when the loop looks again.
@Suite struct TimerLoopTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func timer(_ id: String, _ at: Double) -> TimerRecord {
        TimerRecord(id: id, instanceId: "i", elementId: "t", dueAt: t0.addingTimeInterval(at))
    }

    @Test func aTimerInFlightIsNotFiredAgain() {
        var l = TimerLoop()
        #expect(l.take([timer("a", 0), timer("b", 1)]).map(\.id) == ["a", "b"])
        #expect(l.take([timer("a", 0), timer("b", 1), timer("c", 2)]).map(\.id) == ["c"])
        l.done(["a"])
        #expect(l.take([timer("a", 0)]).map(\.id) == ["a"])
    }

    @Test func theLoopWakesAtTheNextTimerButPollsForNewOnes() {
        #expect(TimerLoop.wake(now: t0, next: t0.addingTimeInterval(0.02), poll: 0.1) == t0.addingTimeInterval(0.02))
        #expect(TimerLoop.wake(now: t0, next: t0.addingTimeInterval(60), poll: 0.1) == t0.addingTimeInterval(0.1))
        #expect(TimerLoop.wake(now: t0, next: nil, poll: 0.1) == t0.addingTimeInterval(0.1))
        // a timer already due (claimed by another replica meanwhile) does not make it spin
        #expect(TimerLoop.wake(now: t0, next: t0.addingTimeInterval(-5), poll: 0.1) == t0.addingTimeInterval(0.1))
    }

    @Test func choresComeDueOnTheirPeriods() {
        var h = Housekeeping()
        #expect(h.due(now: t0, shared: false, lease: 60) == [.readLevels, .pruneWindows])
        #expect(h.due(now: t0, shared: true, lease: 60)
            == [.takeOverJobs, .refreshDefinitions, .readLevels, .pruneWindows])
        h.tookOver(at: t0)
        h.definitionsRead(at: t0)
        h.levelsRead(at: t0)
        h.windowsPruned(at: t0)
        #expect(h.due(now: t0.addingTimeInterval(4), shared: true, lease: 60).isEmpty)
        #expect(h.due(now: t0.addingTimeInterval(5), shared: true, lease: 60) == [.refreshDefinitions])
        #expect(h.due(now: t0.addingTimeInterval(10), shared: false, lease: 60) == [.pruneWindows])
        #expect(h.due(now: t0.addingTimeInterval(15), shared: true, lease: 60)
            == [.takeOverJobs, .refreshDefinitions, .readLevels, .pruneWindows])
    }
}

/// The consumed-positions protocol: the consumer's chain, the batch's writes, the store's
/// check, and what a commit's outcome tells the consumer.
@Suite struct ConsumedPositionsTests {
    let p0 = TopicPartition(topic: "readings", partition: 0)
    let p1 = TopicPartition(topic: "readings", partition: 1)

    @Test func theChainGivesEachRecordThePositionItFollows() {
        var chain = PartitionChain()
        let starts = chain.assign([p0, p1], stored: [p0: 10])
        #expect(starts[p0] == .some(10))
        #expect(starts[p1] == .some(nil))  // nothing stored: where Kafka's committed offset says
        #expect(chain.follow(p0, offset: 10) == .some(10))
        #expect(chain.follow(p0, offset: 11) == .some(11))
        #expect(chain.follow(p1, offset: 3) == .some(nil))
        #expect(chain.follow(p1, offset: 4) == .some(4))
        chain.revoke()
        #expect(chain.follow(p0, offset: 12) == .none)  // no longer assigned: dropped
        #expect(!chain.isAssigned(p0))
    }

    @Test func aBatchExpectsTheFirstRecordsPositionAndMovesPastTheLast() {
        var writes: [OffsetWrite] = []
        ConsumedPositions.record(ConsumedOffset(group: "g", topic: "readings", partition: 0, offset: 10, expected: 10), in: &writes)
        ConsumedPositions.record(ConsumedOffset(group: "g", topic: "readings", partition: 0, offset: 11, expected: 11), in: &writes)
        ConsumedPositions.record(ConsumedOffset(group: "g", topic: "readings", partition: 1, offset: 0, expected: nil), in: &writes)
        #expect(writes == [OffsetWrite(group: "g", topic: "readings", partition: 0, expected: 10, next: 12),
                           OffsetWrite(group: "g", topic: "readings", partition: 1, expected: nil, next: 1)])
        #expect(ConsumedPositions.firstConflict(writes, stored: [p0: 10]) == nil)
        // another consumer moved partition 0 on: nothing of the batch may be written
        #expect(ConsumedPositions.firstConflict(writes, stored: [p0: 11])?.key == p0)
        // partition 1 had a position stored meanwhile, where the batch expects none
        #expect(ConsumedPositions.firstConflict(writes, stored: [p0: 10, p1: 0])?.key == p1)
    }

    @Test func aCommitTellsTheConsumerWhatIsStoredAndWhereToStartAgain() {
        let records = [ConsumedOffset(group: "g", topic: "readings", partition: 0, offset: 10, expected: 10, epoch: 3),
                       ConsumedOffset(group: "g", topic: "readings", partition: 0, offset: 11, expected: 11, epoch: 3),
                       ConsumedOffset(group: "g", topic: "readings", partition: 1, offset: 7, expected: 7, epoch: 4)]
        let all = ConsumedPositions.outcome(records, committed: [true, true, true])
        #expect(all.stored == [p0: 12, p1: 8])
        #expect(all.rewindEpoch == nil)
        let some = ConsumedPositions.outcome(records, committed: [true, false, false])
        #expect(some.stored == [p0: 11])
        #expect(some.rewindEpoch == 4)
        #expect(ConsumedPositions.byPartition([StoredOffset(topic: "readings", partition: 1, next: 8)]) == [p1: 8])
    }
}
