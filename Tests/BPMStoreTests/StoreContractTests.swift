import BPMEngine
import BPMExpressions
import BPMStore
import BPMStoreSQLite
import Foundation
import Testing

let at = Date(timeIntervalSince1970: 1_800_000_000)

/// The behaviour every `ProcessStore` must have. Runs against SQLite here; the PostgreSQL
/// store will run the same checks.
enum StoreContract {
    static func fresh() async throws -> (any ProcessStore, () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        try await s.migrate()
        try await s.migrate()  // migrations are idempotent
        return (s, { try? FileManager.default.removeItem(at: dir) })
    }

    static func state(_ id: String, key: String? = nil, status: InstanceStatus = .running) -> InstanceState {
        var s = InstanceState(id: id, definitionId: "d", definitionVersion: 1, variables: ["t": 27.5, "nested": ["a": [1, 2]]], correlationKey: key, startedAt: at)
        s.status = status
        s.tokens = [Token(id: "\(id)-k1", elementId: "wait", wait: .timer(timerId: "\(id)-t1"))]
        s.revision = 1
        return s
    }
}

@Suite struct StoreContractTests {
    @Test func instancesRoundTripAndUpdatesCheckTheRevision() async throws {
        let (store, cleanup) = try await StoreContract.fresh()
        defer { cleanup() }
        var s = StoreContract.state("i1", key: "hp1")
        var batch = CommitBatch()
        batch.instances = [InstanceWrite(state: s, expectedRevision: nil)]
        batch.history = [HistoryEntry(instanceId: "i1", elementId: "p", elementType: "process", event: "started", at: at, data: ["x": 1])]
        batch.timersToAdd = [TimerRecord(id: "i1-t1", instanceId: "i1", elementId: "wait", dueAt: at + 300)]
        try await store.commit(batch)
        #expect(try await store.instance("i1") == s)
        #expect(try await store.activeInstance(definitionId: "d", correlationKey: "hp1") == "i1")
        #expect(try await store.history(instanceId: "i1").map(\.event) == ["started"])

        s.variables["t"] = 22
        s.revision = 2
        var update = CommitBatch()
        update.instances = [InstanceWrite(state: s, expectedRevision: 1)]
        try await store.commit(update)
        #expect(try await store.instance("i1")?.variables["t"] == 22)

        // a writer holding an old revision is refused, and nothing of its batch is written
        var stale = CommitBatch()
        stale.instances = [InstanceWrite(state: s, expectedRevision: 1)]
        stale.history = [HistoryEntry(instanceId: "i1", elementId: "x", elementType: "scriptTask", event: "completed", at: at)]
        await #expect(throws: StoreError.self) { try await store.commit(stale) }
        #expect(try await store.history(instanceId: "i1").count == 1)
    }

    @Test func oneRunningInstancePerCorrelationKey() async throws {
        let (store, cleanup) = try await StoreContract.fresh()
        defer { cleanup() }
        var a = CommitBatch()
        a.instances = [InstanceWrite(state: StoreContract.state("a", key: "k"), expectedRevision: nil)]
        try await store.commit(a)
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: StoreContract.state("b", key: "k"), expectedRevision: nil)]
        await #expect(throws: (any Error).self) { try await store.commit(b) }
        // a completed instance frees the key
        var done = StoreContract.state("a", key: "k", status: .completed)
        done.revision = 2
        var c = CommitBatch()
        c.instances = [InstanceWrite(state: done, expectedRevision: 1), InstanceWrite(state: StoreContract.state("b", key: "k"), expectedRevision: nil)]
        try await store.commit(c)
        #expect(try await store.activeInstance(definitionId: "d", correlationKey: "k") == "b")
    }

    @Test func timersJobsTasksIncidentsAndLogs() async throws {
        let (store, cleanup) = try await StoreContract.fresh()
        defer { cleanup() }
        var batch = CommitBatch()
        batch.instances = [InstanceWrite(state: StoreContract.state("i"), expectedRevision: nil)]
        batch.timersToAdd = [TimerRecord(id: "late", instanceId: "i", elementId: "w", dueAt: at + 60),
                             TimerRecord(id: "early", instanceId: "i", elementId: "w", dueAt: at + 10)]
        batch.jobsToAdd = [JobRecord(id: "j1", instanceId: "i", definitionId: "d", elementId: "s", action: "notify", payload: ["m": "hi"], attempt: 1, createdAt: at)]
        batch.tasksToAdd = [UserTaskRecord(id: "u1", instanceId: "i", definitionId: "d", elementId: "approve", name: "Approve", assignee: nil,
                                           candidateUsers: [], candidateGroups: ["managers", "leads"], priority: 60, form: ["type": "object"],
                                           description: nil, status: "open", createdAt: at)]
        batch.incidentsToAdd = [Incident(id: "x1", instanceId: "i", elementId: "s", type: "job_failed", message: "boom", jobId: "j1", createdAt: at)]
        try await store.commit(batch)
        #expect(try await store.dueTimers(before: at + 30, limit: 10).map(\.id) == ["early"])
        #expect(try await store.dueTimers(before: at + 90, limit: 10).map(\.id) == ["early", "late"])
        #expect(try await store.nextTimerDue() == at + 10)
        #expect(try await store.pendingJobs(limit: 10).first?.payload == ["m": "hi"])
        #expect(try await store.userTasks(TaskQuery(candidateGroup: "leads")).map(\.id) == ["u1"])
        #expect(try await store.userTasks(TaskQuery(candidateGroup: "nobody")).isEmpty)
        #expect(try await store.incidents(instanceId: "i", openOnly: true).map(\.incident.message) == ["boom"])

        var next = CommitBatch()
        next.timersToDelete = ["early"]
        next.jobsToDelete = ["j1"]
        next.taskUpdates = [("u1", "completed", at + 5)]
        next.incidentsResolved = [("x1", at + 6)]
        try await store.commit(next)
        #expect(try await store.dueTimers(before: at + 90, limit: 10).map(\.id) == ["late"])
        #expect(try await store.pendingJobs(limit: 10).isEmpty)
        #expect(try await store.userTask("u1")?.status == "completed")
        #expect(try await store.incidents(instanceId: "i", openOnly: true).isEmpty)
        #expect(try await store.incident("x1")?.resolvedAt == at + 6)

        let log = LogRecord(id: "j9", instanceId: "i", elementId: "s", level: "info", message: "hello", data: nil, createdAt: at)
        try await store.appendLog(log)
        try await store.appendLog(log)  // a repeated delivery writes once
        #expect(try await store.logs(instanceId: "i") == [log])
    }

    @Test func definitionVersionsAndContentHashes() async throws {
        let (store, cleanup) = try await StoreContract.fresh()
        defer { cleanup() }
        let v1 = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "a", contentHash: "h1", origin: "p.yaml", at: at)
        let same = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "a", contentHash: "h1", origin: "p.yaml", at: at + 1)
        let v2 = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "b", contentHash: "h2", origin: "p.yaml", at: at + 2)
        let versions = [v1.version, same.version, v2.version]
        #expect(versions == [1, 1, 2])
        #expect(try await store.definitions().map(\.source) == ["a", "b"])
    }

    @Test func historyKeepsItsOrderAcrossBatches() async throws {
        let (store, cleanup) = try await StoreContract.fresh()
        defer { cleanup() }
        var b1 = CommitBatch()
        b1.instances = [InstanceWrite(state: StoreContract.state("i"), expectedRevision: nil)]
        b1.history = (0..<50).map { HistoryEntry(instanceId: "i", elementId: "e\($0)", elementType: "scriptTask", event: "completed", at: at) }
        try await store.commit(b1)
        var b2 = CommitBatch()
        b2.history = (50..<60).map { HistoryEntry(instanceId: "i", elementId: "e\($0)", elementType: "scriptTask", event: "completed", at: at) }
        try await store.commit(b2)
        #expect(try await store.history(instanceId: "i").map(\.elementId) == (0..<60).map { "e\($0)" })
    }
}

@Suite struct UUIDv7Tests {
    @Test func timeOrderedAndUnique() {
        let ids = (0..<10_000).map { _ in UUIDv7.make(at) }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids[0].count == 36)
        #expect(ids[0].dropFirst(14).first == Character("7"))
    }
}
