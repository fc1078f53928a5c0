import BPMEngine
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// What window aggregates and the queued throttle need of a store: a key's window row, its
/// throttle queue and its release timer (no instance) written in one batch with the consumed
/// position, read back, replaced and removed.
@Suite struct WindowRowsContractTests {
    static let due = Date(timeIntervalSince1970: 1_790_003_600)

    static func release(at due: Date) -> TimerRecord {
        TimerRecord(id: "throttle:alert:hp-7", instanceId: "", elementId: "", dueAt: due,
                    data: ["throttle": "alert", "key": "hp-7"])
    }

    @Test(arguments: StoreKind.allCases) func windowRowsAndReleaseTimersGoWithTheBatch(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        let buckets: Value = ["flow_avg_10m": [[179_000_000, 2, 50, 25, 25, 1_790_000_000, 25, 1_790_000_001, 25]]]
        let queue: Value = ["starts": [1_790_000_000], "queue": [["vars": ["value": 12], "at": 1_790_000_060]]]
        var b = CommitBatch()
        b.windows = [WindowWrite(definitionId: "window:overheat", key: "hp-1", state: buckets),
                     WindowWrite(definitionId: "alert", key: "hp-7", state: queue)]
        b.timersToAdd = [Self.release(at: Self.due)]
        b.consumed(ConsumedOffset(group: "g", topic: "t", partition: 0, offset: 0, expected: nil))
        try await store.commit(b)
        #expect(try await store.eventWindow(definitionId: "window:overheat", key: "hp-1") == buckets)
        #expect(try await store.eventWindows(definitionId: "window:overheat").map(\.key) == ["hp-1"])
        #expect(try await store.eventWindow(definitionId: "alert", key: "hp-7") == queue)
        let timers = try await store.dueTimers(before: Self.due, limit: 10)
        #expect(timers.map(\.id) == ["throttle:alert:hp-7"])
        #expect(timers.first?.data?[member: "key"] == "hp-7")
        #expect(try await store.consumerOffsets(group: "g").first?.next == 1)
        // the release fires: its timer replaced by the next in the same batch, the queue emptied
        var next = CommitBatch()
        next.timersToDelete = ["throttle:alert:hp-7"]
        next.timersToAdd = [Self.release(at: Self.due.addingTimeInterval(3600))]
        next.windows = [WindowWrite(definitionId: "alert", key: "hp-7", state: ["starts": [1_790_003_600]])]
        try await store.commit(next)
        #expect(try await store.dueTimers(before: Self.due, limit: 10).isEmpty)
        #expect(try await store.nextTimerDue() == Self.due.addingTimeInterval(3600))
        #expect(try await store.eventWindow(definitionId: "alert", key: "hp-7") == ["starts": [1_790_003_600]])
    }
}
