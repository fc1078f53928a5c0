import BPMEngine
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// What schedules need of a store: one fire row per (schedule, due time), written with the
/// instance it started (a second one fails the commit as a conflict), the latest fire per
/// schedule, operators' pauses, and a timer by id.
@Suite struct ScheduleStoreTests {
    func isConflict(_ error: any Error) -> Bool { if case StoreError.conflict = error { true } else { false } }

    @Test(arguments: StoreKind.allCases) func aDueTimeStartsOnce(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        let due = at.addingTimeInterval(3600)
        var a = CommitBatch()
        a.instances = [InstanceWrite(state: StoreContract.state("a"), expectedRevision: nil)]
        a.scheduleFires = [ScheduleFire(scheduleId: "defrost:nightly", dueAt: due, instanceId: "a", firedAt: due + 2)]
        try await store.commit(a)
        #expect(try await store.scheduleFire(scheduleId: "defrost:nightly", dueAt: due)?.instanceId == "a")
        #expect(try await store.scheduleFire(scheduleId: "defrost:nightly", dueAt: due + 60) == nil)
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: StoreContract.state("b"), expectedRevision: nil)]
        b.scheduleFires = [ScheduleFire(scheduleId: "defrost:nightly", dueAt: due, instanceId: "b", firedAt: due + 3)]
        await #expect(performing: { try await store.commit(b) }, throws: isConflict)
        #expect(try await store.instance("b") == nil, "the second start of the due time is not written")
        var c = CommitBatch()
        c.scheduleFires = [ScheduleFire(scheduleId: "defrost:nightly", dueAt: due + 86400, instanceId: "c",
            firedAt: due + 86400),
                           ScheduleFire(scheduleId: "other:0", dueAt: due, instanceId: "d", firedAt: due)]
        try await store.commit(c)
        let last = try await store.lastScheduleFires()
        #expect(last["defrost:nightly"] == c.scheduleFires[0])
        #expect(last["other:0"]?.instanceId == "d")
        var late = CommitBatch()
        late.scheduleFires = [ScheduleFire(scheduleId: "defrost:nightly", dueAt: due + 40 * 86400, instanceId: "e",
            firedAt: due)]
        try await store.commit(late)
        #expect(try await store.scheduleFire(scheduleId: "defrost:nightly", dueAt: due) == nil,
            "rows older than a month go")
    }

    @Test(arguments: StoreKind.allCases) func pausesAndTimersById(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        #expect(try await store.schedulePauses().isEmpty)
        try await store.setSchedulePaused("defrost:nightly", paused: true, at: at)
        try await store.setSchedulePaused("other:0", paused: true, at: at)
        try await store.setSchedulePaused("other:0", paused: false, at: at + 1)
        #expect(try await store.schedulePauses() == ["defrost:nightly": true, "other:0": false])
        var b = CommitBatch()
        b.timersToAdd = [TimerRecord(id: "start:defrost:1:start", instanceId: "", elementId: "start", dueAt: at,
                                     data: ["due": .number(at.timeIntervalSince1970)])]
        try await store.commit(b)
        let t = try await store.timer("start:defrost:1:start")
        #expect(t?.dueAt == at)
        #expect(t?.data?[member: "due"] == .number(at.timeIntervalSince1970))
        #expect(try await store.timer("missing") == nil)
    }
}
