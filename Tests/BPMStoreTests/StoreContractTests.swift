import BPMEngine
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

let at = Date(timeIntervalSince1970: 1_800_000_000)

/// The stores the contract runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// The behaviour every `ProcessStore` must have, checked on SQLite and on PostgreSQL (a
/// throwaway server started by the tests) alike.
enum StoreContract {
    static func fresh(_ kind: StoreKind) async throws -> (any ProcessStore, () -> Void) {
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let s = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
            try await s.migrate()
            try await s.migrate()  // migrations are idempotent
            return (s, { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            let url = try TestPostgres.server().createDatabase("contract")
            let s = try PostgresStore(url: url, maxConnections: 4)
            // many suites run at once on two cores beside a browser: the contract is not about timeouts
            s.operationTimeout = 60
            try await s.migrate()
            try await s.migrate()
            return (s, {})
        }
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
    @Test(arguments: StoreKind.allCases) func instancesRoundTripAndUpdatesCheckTheRevision(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
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

    @Test(arguments: StoreKind.allCases) func oneRunningInstancePerCorrelationKey(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var a = CommitBatch()
        a.instances = [InstanceWrite(state: StoreContract.state("a", key: "k"), expectedRevision: nil)]
        try await store.commit(a)
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: StoreContract.state("b", key: "k"), expectedRevision: nil)]
        // a conflict (applied again on fresh state by the runtime), on either store
        await #expect { try await store.commit(b) } throws: { error in
            if case StoreError.conflict = error { true } else { false }
        }
        // a completed instance frees the key
        var done = StoreContract.state("a", key: "k", status: .completed)
        done.revision = 2
        var c = CommitBatch()
        c.instances = [InstanceWrite(state: done, expectedRevision: 1), InstanceWrite(state: StoreContract.state("b", key: "k"), expectedRevision: nil)]
        try await store.commit(c)
        #expect(try await store.activeInstance(definitionId: "d", correlationKey: "k") == "b")
        // many definitions and keys in one query: only running (or suspended) instances
        var e = StoreContract.state("e", key: "k2")
        e.definitionId = "other"
        var more = CommitBatch()
        more.instances = [InstanceWrite(state: e, expectedRevision: nil), InstanceWrite(state: StoreContract.state("f", key: "k3", status: .completed), expectedRevision: nil)]
        try await store.commit(more)
        let found = try await store.activeInstances(definitionIds: ["d", "other", "none"], correlationKeys: ["k", "k2", "k3", "k4"])
        #expect(found == ["d": ["k": "b"], "other": ["k2": "e"]])
        #expect(try await store.activeInstances(definitionIds: ["d"], correlationKeys: []) == [:])
    }

    @Test(arguments: StoreKind.allCases) func timersJobsTasksIncidentsAndLogs(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
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

    @Test(arguments: StoreKind.allCases) func definitionVersionsAndContentHashes(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        let v1 = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "a", contentHash: "h1", origin: "p.yaml", at: at)
        let same = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "a", contentHash: "h1", origin: "p.yaml", at: at + 1)
        let v2 = try await store.saveDefinition(id: "p", name: "P", format: "yaml", source: "b", contentHash: "h2", origin: "p.yaml", at: at + 2)
        let versions = [v1.version, same.version, v2.version]
        #expect(versions == [1, 1, 2])
        #expect(try await store.definitions().map(\.source) == ["a", "b"])
    }

    @Test(arguments: StoreKind.allCases) func historyKeepsItsOrderAcrossBatches(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
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
    /// A multi-instance body and its instances keep their element-instance ids (nil stays nil).
    @Test(arguments: StoreKind.allCases) func historyKeepsElementInstances(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: StoreContract.state("i"), expectedRevision: nil)]
        b.history = [HistoryEntry(instanceId: "i", elementId: "approve", elementType: "multiInstanceBody", event: "activated", at: at,
                                  elementInstanceId: "i-k1"),
                     HistoryEntry(instanceId: "i", elementId: "approve", elementType: "userTask", event: "activated", at: at,
                                  elementInstanceId: "i-k2"),
                     HistoryEntry(instanceId: "i", elementId: "p", elementType: "process", event: "started", at: at)]
        try await store.commit(b)
        #expect(try await store.history(instanceId: "i").map(\.elementInstanceId) == ["i-k1", "i-k2", nil])
        #expect(try await store.history(instanceId: "i").map(\.elementType) == ["multiInstanceBody", "userTask", "process"])
    }

    @Test(arguments: StoreKind.allCases) func concurrentWritersOfOneInstanceExactlyOneWins(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var create = CommitBatch()
        create.instances = [InstanceWrite(state: StoreContract.state("c"), expectedRevision: nil)]
        try await store.commit(create)
        // eight writers each hold revision 1 and try to move the instance on
        let wins = await withTaskGroup(of: Bool.self) { group in
            for w in 0..<8 {
                group.addTask {
                    var s = StoreContract.state("c")
                    s.variables["writer"] = .number(Double(w))
                    s.revision = 2
                    var b = CommitBatch()
                    b.instances = [InstanceWrite(state: s, expectedRevision: 1)]
                    b.history = [HistoryEntry(instanceId: "c", elementId: "w\(w)", elementType: "scriptTask", event: "completed", at: at)]
                    do { try await store.commit(b); return true } catch { return false }
                }
            }
            var n = 0
            for await ok in group where ok { n += 1 }
            return n
        }
        #expect(wins == 1)
        let history = try await store.history(instanceId: "c")
        #expect(history.count == 1, "only the winner's history is written")
        #expect(try await store.instance("c")?.variables["writer"] == .number(Double(history[0].elementId.dropFirst())!))
    }

    @Test(arguments: StoreKind.allCases) func aFailedCommitWritesNothing(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var first = CommitBatch()
        first.instances = [InstanceWrite(state: StoreContract.state("dup"), expectedRevision: nil)]
        try await store.commit(first)
        // the same instance inserted twice: the batch fails after writing its other parts
        var bad = CommitBatch()
        bad.instances = [InstanceWrite(state: StoreContract.state("new"), expectedRevision: nil), InstanceWrite(state: StoreContract.state("dup"), expectedRevision: nil)]
        bad.history = [HistoryEntry(instanceId: "new", elementId: "p", elementType: "process", event: "started", at: at)]
        bad.timersToAdd = [TimerRecord(id: "new-t", instanceId: "new", elementId: "w", dueAt: at)]
        bad.jobsToAdd = [JobRecord(id: "new-j", instanceId: "new", definitionId: "d", elementId: "s", action: "notify", payload: [:], attempt: 1, createdAt: at)]
        await #expect(throws: (any Error).self) { try await store.commit(bad) }
        #expect(try await store.instance("new") == nil)
        #expect(try await store.history(instanceId: "new").isEmpty)
        #expect(try await store.dueTimers(before: at + 1, limit: 10).isEmpty)
        #expect(try await store.pendingJobs(limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func messagesAndSubscriptions(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        b.subscriptionsToAdd = [MessageSubscription(id: "s1", instanceId: "i", elementId: "wait", name: "ack", correlationKey: "k1", createdAt: at),
                                MessageSubscription(id: "s2", instanceId: "j", elementId: "wait", name: "ack", correlationKey: nil, createdAt: at + 1)]
        b.messagesToBuffer = [BufferedMessage(id: "m1", message: PublishedMessage(name: "ping", correlationKey: nil, variables: ["v": 1]), expiresAt: at + 60)]
        try await store.commit(b)
        #expect(try await store.subscription(name: "ack", correlationKey: "k1")?.id == "s1")
        #expect(try await store.subscription(name: "ack", correlationKey: nil)?.id == "s2")
        #expect(try await store.subscriptions(name: "ack", limit: 10).map(\.id) == ["s1", "s2"])
        #expect(try await store.bufferedMessage(name: "ping", correlationKey: nil, at: at)?.message.variables == ["v": 1])
        #expect(try await store.bufferedMessage(name: "ping", correlationKey: nil, at: at + 61) == nil, "expired")
    }

    @Test(arguments: StoreKind.allCases) func consumedPositionsMoveOnlyFromTheExpectedOne(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        func batch(_ writes: [(Int32, Int64?, Int64)], instance: String) -> CommitBatch {
            var b = CommitBatch()
            b.instances = [InstanceWrite(state: StoreContract.state(instance), expectedRevision: nil)]
            for (p, expected, last) in writes {
                b.consumed(ConsumedOffset(group: "g", topic: "t", partition: p, offset: last - 1, expected: expected))
                b.consumed(ConsumedOffset(group: "g", topic: "t", partition: p, offset: last, expected: last))
            }
            return b
        }
        try await store.commit(batch([(0, nil, 4), (1, nil, 0)], instance: "a"))
        #expect(try await store.consumerOffsets(group: "g").sorted { $0.partition < $1.partition }
            == [StoredOffset(topic: "t", partition: 0, next: 5), StoredOffset(topic: "t", partition: 1, next: 1)])
        try await store.commit(batch([(0, 5, 9)], instance: "b"))
        // a batch that follows an older position writes nothing, its instance neither
        await #expect(throws: StoreError.self) { try await store.commit(batch([(1, 1, 2), (0, 5, 7)], instance: "c")) }
        #expect(try await store.instance("c") == nil)
        #expect(try await store.consumerOffsets(group: "g").first { $0.partition == 0 }?.next == 10)
        #expect(try await store.consumerOffsets(group: "g").first { $0.partition == 1 }?.next == 1)
        #expect(try await store.consumerOffsets(group: "other").isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func anOperatorResetsTheStoredPositionsOfATopic(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        for (topic, p) in [("t", Int32(0)), ("t", 1), ("u", 0)] {
            b.consumed(ConsumedOffset(group: "g", topic: topic, partition: p, offset: 41, expected: nil))
        }
        try await store.commit(b)
        func next(_ topic: String, _ p: Int32) async throws -> Int64? {
            try await store.consumerOffsets(group: "g").first { $0.topic == topic && $0.partition == p }?.next
        }
        #expect(try await store.resetConsumerOffsets(group: "g", topic: "t", partition: 1, to: 3) == 1)
        #expect(try await next("t", 0) == 42)
        #expect(try await next("t", 1) == 3)
        #expect(try await store.resetConsumerOffsets(group: "g", topic: "t", partition: nil, to: 0) == 2)
        #expect(try await next("t", 0) == 0)
        #expect(try await next("t", 1) == 0)
        #expect(try await next("u", 0) == 42, "only the topic's positions")
        #expect(try await store.resetConsumerOffsets(group: "other", topic: "t", partition: nil, to: 0) == 0)
        #expect(try await store.resetConsumerOffsets(group: "g", topic: "none", partition: nil, to: 0) == 0)
    }

    @Test(arguments: StoreKind.allCases) func eventWindowsAndTheOutbox(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        b.windows = [WindowWrite(definitionId: "d", key: "k", state: ["since": 12.5]), WindowWrite(definitionId: "d", key: "gone", state: ["hits": [1, 2]])]
        b.outbox = [OutboxRecord(id: "o2", topic: "life", key: "i", payload: "{\"n\":2}", createdAt: at), OutboxRecord(id: "o1", topic: "life", key: "i", payload: "{}", createdAt: at)]
        try await store.commit(b)
        #expect(try await store.eventWindow(definitionId: "d", key: "k") == ["since": 12.5])
        var c = CommitBatch()
        c.windows = [WindowWrite(definitionId: "d", key: "gone", state: nil), WindowWrite(definitionId: "d", key: "k", state: ["since": 20])]
        try await store.commit(c)
        #expect(try await store.eventWindow(definitionId: "d", key: "gone") == nil)
        #expect(try await store.eventWindow(definitionId: "d", key: "k") == ["since": 20])
        #expect(try await store.outbox(limit: 10).map(\.id) == ["o1", "o2"])
        #expect(try await store.outbox(limit: 10).last?.payload == "{\"n\":2}")
        try await store.deleteOutbox(["o1"])
        #expect(try await store.outbox(limit: 10).map(\.id) == ["o2"])
    }

    @Test(arguments: StoreKind.allCases) func externalJobsAreLockedForOneWorkerUntilTheLockExpires(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        b.jobsToAdd = (0..<3).map { i in
            var j = JobRecord(id: "x\(i)", instanceId: "i", definitionId: "d", elementId: "s", action: "charge", payload: [:], attempt: 1, createdAt: at + Double(i))
            j.external = true
            if i == 2 { j.priority = 90 }  // handed out first despite being the youngest
            return j
        }
        var instance = StoreContract.state("i")
        instance.definitionVersion = 3
        b.instances = [InstanceWrite(state: instance, expectedRevision: nil)]
        try await store.commit(b)
        let a = try await store.activateJobs(type: "charge", worker: "wa", max: 2, until: at + 30, now: at)
        let c = try await store.activateJobs(type: "charge", worker: "wb", max: 5, until: at + 30, now: at)
        #expect(a.map(\.id) == ["x2", "x0"])
        #expect(a.first?.priority == 90)
        #expect(a.map(\.definitionVersion) == [3, 3])  // read with the jobs, for the workers
        #expect(c.map(\.id) == ["x1"])
        #expect(try await store.job("x0")?.lockedBy == "wa")
        // a lock ended early (a job stream gives back what it could not deliver): activatable again
        #expect(try await store.extendJobLock("x1", until: at + 1))
        let early = try await store.activateJobs(type: "charge", worker: "wc", max: 5, until: at + 30, now: at + 1)
        #expect(early.map(\.id) == ["x1"])
        #expect(try await store.activateJobs(type: "charge", worker: "wb", max: 5, until: at + 90, now: at + 31).map(\.id) == ["x2", "x0", "x1"])
    }

    @Test(arguments: StoreKind.allCases) func instanceAndTaskQueriesFilterAndSort(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        for i in 0..<20 {
            var s = InstanceState(id: "q\(i)", definitionId: i % 2 == 0 ? "even" : "odd", definitionVersion: i < 10 ? 1 : 2,
                                  variables: ["n": .number(Double(i)), "device": .string("d\(i % 4)"), "ok": .bool(i % 3 == 0)], startedAt: at + Double(i) * 60)
            s.revision = 1
            b.instances.append(InstanceWrite(state: s, expectedRevision: nil))
            b.tasksToAdd.append(UserTaskRecord(id: "t\(i)", instanceId: "q\(i)", definitionId: s.definitionId, elementId: "approve", name: nil, assignee: nil,
                                               candidateUsers: [], candidateGroups: ["g"], priority: i * 5, form: nil, description: nil, status: "open",
                                               createdAt: at + Double(i), dueAt: i % 5 == 0 ? nil : at + Double(100 - i) * 3600, followUpAt: at + Double(i) * 3600))
        }
        try await store.commit(b)
        func ids(_ q: InstanceQuery) async throws -> Set<String> { Set(try await store.instances(q).map(\.id)) }
        var q = InstanceQuery(limit: 100)
        q.variables = ["device": "d1"]
        #expect(try await ids(q) == ["q1", "q5", "q9", "q13", "q17"])
        q.variables = ["device": "d1", "n": 5]
        #expect(try await ids(q) == ["q5"])
        q.variables = ["ok": true, "device": "d0"]
        #expect(try await ids(q) == ["q0", "q12"])
        var v = InstanceQuery(definitionId: "even", limit: 100)
        v.definitionVersion = 2
        #expect(try await ids(v) == ["q10", "q12", "q14", "q16", "q18"])
        var t = InstanceQuery(limit: 100)
        t.startedAfter = at + 5 * 60
        t.startedBefore = at + 8 * 60
        #expect(try await ids(t) == ["q5", "q6", "q7"])
        #expect(try await store.instances(InstanceQuery(limit: 3)).map(\.id) == ["q19", "q18", "q17"], "newest first")

        var tq = TaskQuery(limit: 100)
        tq.definitionId = "odd"
        tq.minPriority = 50
        #expect(try await store.userTasks(tq).map(\.id) == ["t19", "t17", "t15", "t13", "t11"], "highest priority first")
        var due = TaskQuery(limit: 4)
        due.sort = .due
        #expect(try await store.userTasks(due).map(\.id) == ["t19", "t18", "t17", "t16"], "soonest due first")
        var before = TaskQuery(limit: 100)
        before.dueBefore = at + 83 * 3600
        #expect(Set(try await store.userTasks(before).map(\.id)) == ["t18", "t19"])
        var follow = TaskQuery(limit: 100)
        follow.followUpBefore = at + 2 * 3600
        #expect(Set(try await store.userTasks(follow).map(\.id)) == ["t0", "t1"])
        #expect(try await store.userTask("t3")?.dueAt == at + 97 * 3600)
        #expect(try await store.userTask("t0")?.dueAt == nil)
    }

}

@Suite struct UUIDv7Tests {
    @Test func timeOrderedAndUnique() {
        let ids = (0..<10_000).map { _ in UUIDv7.make(at) }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids[0].count == 36)
        #expect(ids[0].dropFirst(14).first == Character("7"))
        #expect(ids.allSatisfy { $0.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil })
    }
}

/// What several engine processes on one PostgreSQL rely on: claims of due timers and leased
/// jobs go to one process at a time, and a process's claim is taken over once it runs out.
@Suite struct SharedStoreTests {
    @Test func dueTimersAreClaimedByOneReplicaAtATimeAndTakenOverAfterTheLease() async throws {
        let (store, cleanup) = try await StoreContract.fresh(.postgres)
        defer { cleanup() }
        #expect(store.sharedByReplicas)
        var b = CommitBatch()
        b.timersToAdd = (0..<100).map { TimerRecord(id: "t\($0)", instanceId: "i", elementId: "w", dueAt: at + Double($0 % 10)) }
        try await store.commit(b)
        // two replicas claim at once: every due timer goes to exactly one of them
        async let a = store.claimTimers(before: at + 20, limit: 60, owner: "A", leaseUntil: at + 50)
        async let c = store.claimTimers(before: at + 20, limit: 60, owner: "B", leaseUntil: at + 50)
        let (ta, tb) = try await (a, c)
        #expect(Set(ta.map(\.id)).isDisjoint(with: tb.map(\.id)))
        #expect(ta.count + tb.count == 100)
        #expect(try await store.claimTimers(before: at + 20, limit: 100, owner: "C", leaseUntil: at + 80).isEmpty, "all claimed")
        // A dies; after its lease, C takes its timers over
        let taken = try await store.claimTimers(before: at + 51, limit: 100, owner: "C", leaseUntil: at + 80)
        #expect(taken.count == 100)
        // A's late commit of a fired timer is refused: C owns it now
        var late = CommitBatch()
        late.timersFired = [ta[0].id]
        late.owner = "A"
        await #expect(throws: StoreError.self) { try await store.commit(late) }
        var mine = CommitBatch()
        mine.timersFired = [ta[0].id]
        mine.owner = "C"
        try await store.commit(mine)
        #expect(try await store.dueTimers(before: at + 100, limit: 200).count == 99)
    }

    @Test func jobsAreLeasedToTheirWriterAndTakenOverWhenItDies() async throws {
        let (store, cleanup) = try await StoreContract.fresh(.postgres)
        defer { cleanup() }
        var b = CommitBatch()
        b.owner = "A"
        b.leaseUntil = at + 30
        b.jobsToAdd = (0..<5).map { JobRecord(id: "j\($0)", instanceId: "i", definitionId: "d", elementId: "s", action: "notify", payload: [:], attempt: 1, createdAt: at) }
        try await store.commit(b)
        #expect(try await store.claimJobs(owner: "B", leaseUntil: at + 60, now: at + 10, limit: 10).isEmpty, "A's lease holds")
        #expect(try await store.job("j0")?.lockedBy == "A")
        async let x = store.claimJobs(owner: "B", leaseUntil: at + 90, now: at + 31, limit: 10)
        async let y = store.claimJobs(owner: "C", leaseUntil: at + 90, now: at + 31, limit: 10)
        let (jb, jc) = try await (x, y)
        #expect(jb.count + jc.count == 5)
        #expect(Set(jb.map(\.id)).isDisjoint(with: jc.map(\.id)))
    }

    @Test func timescaleDBIsUsedOnlyWhenTheExtensionIsAvailable() async throws {
        #expect(PostgresStore.timescaleStatements(available: false).isEmpty)
        let with = PostgresStore.timescaleStatements(available: true)
        #expect(with.first == "CREATE EXTENSION IF NOT EXISTS timescaledb")
        #expect(with.contains { $0.contains("create_hypertable('process_history', 'timestamp'") })
        // this server (Debian's PostgreSQL) has no TimescaleDB: plain tables
        let (store, cleanup) = try await StoreContract.fresh(.postgres)
        defer { cleanup() }
        let pg = try #require(store as? PostgresStore)
        #expect(pg.timescale == false)
    }

    @Test func concurrentMigrationsRunOnce() async throws {
        let url = try TestPostgres.server().createDatabase("migrate")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let s = try PostgresStore(url: url, maxConnections: 2)
                    try await s.migrate()
                }
            }
            try await group.waitForAll()
        }
        let names = try TestPostgres.server().psql(String(url.split(separator: "/").last!.split(separator: "?").first!), "SELECT name FROM schema_migrations ORDER BY name")
        #expect(
            names.split(separator: "\n") == [
                "001-plan-tables", "002-engine-tables", "003-task-dates-and-query-indexes", "004-event-intake",
                "005-history-element-instances", "006-instance-list-orders", "007-flow-control",
                "008-camunda-keys", "009-camunda-message-ids", "010-definition-deletion", "011-schedules",
                "012-monitoring-indexes", "013-instance-list-keysets",
            ])
    }
}
