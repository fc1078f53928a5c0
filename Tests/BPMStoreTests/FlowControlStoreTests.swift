import BPMEngine
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// What flow control needs of a store: unique business keys, idempotent start records, and
/// (on PostgreSQL, shared by replicas) windows written only from the state read.
@Suite struct FlowControlStoreTests {
    func isConflict(_ error: any Error) -> Bool { if case StoreError.conflict = error { true } else { false } }

    func unique(_ id: String, _ bk: String, status: InstanceStatus = .running) -> InstanceWrite {
        var s = StoreContract.state(id, status: status)
        s.businessKey = bk
        return InstanceWrite(state: s, expectedRevision: nil, uniqueKey: bk)
    }

    @Test(arguments: StoreKind.allCases) func oneRunningInstancePerUniqueBusinessKey(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var a = CommitBatch()
        a.instances = [unique("a", "hp-7"), unique("old", "hp-8", status: .completed)]
        try await store.commit(a)
        var b = CommitBatch()
        b.instances = [unique("b", "hp-7")]
        await #expect(performing: { try await store.commit(b) }, throws: isConflict)
        // the same business key without uniqueness (another definition's rule) is not limited
        var plain = StoreContract.state("c")
        plain.businessKey = "hp-7"
        b.instances = [InstanceWrite(state: plain, expectedRevision: nil), unique("d", "hp-8")]
        try await store.commit(b)
        // an instance that ends frees its key
        var done = a.instances[0].state
        done.status = .completed
        done.revision = 2
        var c = CommitBatch()
        c.instances = [InstanceWrite(state: done, expectedRevision: 1), unique("e", "hp-7")]
        try await store.commit(c)
    }

    @Test(arguments: StoreKind.allCases) func startRecordsAreKeptOncePerKey(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        let r = StartRecord(key: "visit-1", definitionId: "d", instanceId: "a", status: 201, response: "{\"id\":\"a\"}", createdAt: at)
        var b = CommitBatch()
        b.startRecords = [r]
        try await store.commit(b)
        #expect(try await store.startRecord(key: "visit-1") == r)
        #expect(try await store.startRecord(key: "visit-2") == nil)
        var again = CommitBatch()
        again.startRecords = [StartRecord(key: "visit-1", definitionId: "d", instanceId: "b", status: 201, response: "{}", createdAt: at)]
        again.instances = [InstanceWrite(state: StoreContract.state("b"), expectedRevision: nil)]
        await #expect(performing: { try await store.commit(again) }, throws: isConflict)
        #expect(try await store.instance("b") == nil, "nothing of the conflicting batch is written")
    }

    @Test func checkedWindowsConflictWhenAnotherWriterChangedThem() async throws {
        let (store, cleanup) = try await StoreContract.fresh(.postgres)
        defer { cleanup() }
        var b = CommitBatch()
        b.windows = [WindowWrite(definitionId: "d", key: "hp-7", state: ["starts": [1]], checked: true, expected: nil)]
        try await store.commit(b)
        // a second writer that also read no row
        await #expect(performing: { try await store.commit(b) }, throws: isConflict)
        b.windows = [WindowWrite(definitionId: "d", key: "hp-7", state: ["starts": [1, 2]], checked: true, expected: ["starts": [1]])]
        try await store.commit(b)
        // a writer that read the first state
        await #expect(performing: { try await store.commit(b) }, throws: isConflict)
        b.windows = [WindowWrite(definitionId: "d", key: "hp-7", state: nil, checked: true, expected: ["starts": [1]])]
        await #expect(performing: { try await store.commit(b) }, throws: isConflict)
        b.windows = [WindowWrite(definitionId: "d", key: "hp-7", state: nil, checked: true, expected: ["starts": [1, 2]])]
        try await store.commit(b)
        #expect(try await store.eventWindow(definitionId: "d", key: "hp-7") == nil)
    }
}
