import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import Testing

/// The monitoring reads on both stores: an instance's timers, instances waiting at an
/// element, and per-element activation counts with average durations.
@Suite struct MonitoringStoreTests {
    @Test(arguments: StoreKind.allCases) func anInstancesTimersSoonestFirst(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var batch = CommitBatch()
        batch.instances = [InstanceWrite(state: StoreContract.state("i"), expectedRevision: nil),
                           InstanceWrite(state: StoreContract.state("other"), expectedRevision: nil)]
        batch.timersToAdd = [TimerRecord(id: "late", instanceId: "i", elementId: "w", dueAt: at + 60),
                             TimerRecord(id: "early", instanceId: "i", elementId: "t", dueAt: at + 10),
                             TimerRecord(id: "theirs", instanceId: "other", elementId: "w", dueAt: at + 5)]
        try await store.commit(batch)
        let timers = try await store.timers(instanceId: "i")
        #expect(timers.map(\.id) == ["early", "late"])
        #expect(timers.first?.dueAt == at + 10 && timers.first?.elementId == "t")
        #expect(try await store.timers(instanceId: "nobody").isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func instancesWaitingAtAnElement(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var a = StoreContract.state("a"), b = StoreContract.state("b"), c = StoreContract.state("c")
        a.tokens = [Token(id: "a1", elementId: "review", wait: .userTask(taskId: "t"))]
        b.tokens = [Token(id: "b1", elementId: "pay", wait: .job(jobId: "j", attempt: 1)),
                    Token(id: "b2", elementId: "review_2", wait: .userTask(taskId: "u"))]
        c.tokens = [Token(id: "c1", elementId: "ship", wait: .userTask(taskId: "v")),
                    Token(id: "c2", elementId: "review", wait: .userTask(taskId: "w"))]
        var batch = CommitBatch()
        batch.instances = [a, b, c].map { InstanceWrite(state: $0, expectedRevision: nil) }
        try await store.commit(batch)
        var q = InstanceQuery(definitionId: "d")
        q.waitingAt = "review"
        #expect(Set(try await store.instances(q).map(\.id)) == ["a", "c"], "review_2 is another element")
        q.waitingAt = "pay"
        #expect(try await store.instances(q).map(\.id) == ["b"])
    }

    @Test(arguments: StoreKind.allCases) func elementCountsAndAverageDurations(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        func h(_ i: String, _ e: String, _ event: String, _ s: Double) -> HistoryEntry {
            HistoryEntry(instanceId: i, elementId: e, elementType: "userTask", event: event, at: at + s)
        }
        var batch = CommitBatch()
        batch.instances = ["x", "y"].map { InstanceWrite(state: StoreContract.state($0), expectedRevision: nil) }
        // review: 10 s in x, then again 30 s in x (a loop), 20 s in y; pay: open in y
        batch.history = [h("x", "review", "activated", 0), h("x", "review", "completed", 10),
                         h("x", "review", "activated", 20), h("x", "review", "completed", 50),
                         h("y", "review", "activated", 0), h("y", "review", "completed", 20),
                         h("y", "pay", "activated", 30)]
        try await store.commit(batch)
        let stats = try await store.elementStatistics(definitionId: "d")
        #expect(stats.map(\.elementId) == ["pay", "review"])
        let review = try #require(stats.last)
        #expect(review.activations == 3 && review.completions == 3)
        #expect(abs((review.averageSeconds ?? 0) - 20) < 0.01, "\(review)")
        #expect(stats.first == ElementStatistics(elementId: "pay", activations: 1, completions: 0, averageSeconds: nil))
        #expect(try await store.elementStatistics(definitionId: "nothing").isEmpty)
    }
}
