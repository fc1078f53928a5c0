import BPMEngine
import BPMStore
@testable import BPMStorePostgres
import Foundation
import Testing

/// The PostgreSQL commit's one-statement path: which batches take it, and how their statements'
/// parameters are renumbered into one query. (The store contract suite writes such batches —
/// new instances with their timers, jobs, tasks and incidents; a start record that conflicts —
/// through it on a real server.)
@Suite struct PostgresOneStatementTests {
    @Test func parametersAreShiftedPastTheStatementsBefore() {
        #expect(PostgresCommit.renumbered("unnest($1::text[], $2::int8[]) WHERE x = $10", by: 5)
            == "unnest($6::text[], $7::int8[]) WHERE x = $15")
        #expect(PostgresCommit.renumbered("SELECT $3", by: 0) == "SELECT $3")
        #expect(PostgresCommit.renumbered("a = $9", by: 1) == "a = $10")
        #expect(PostgresCommit.renumbered("cost $ here", by: 4) == "cost $ here")
    }

    @Test func onlyBatchesOfNewRowsTakeIt() {
        let s = StoreContract.state("n1")
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: s, expectedRevision: nil)]
        b.history = [HistoryEntry(instanceId: "n1", elementId: "p", elementType: "process", event: "started", at: at)]
        b.timersToAdd = [TimerRecord(id: "t1", instanceId: "n1", elementId: "w", dueAt: at)]
        #expect(PostgresCommit.insertsOnly(b))
        var update = b
        update.instances = [InstanceWrite(state: s, expectedRevision: 1)]
        #expect(!PostgresCommit.insertsOnly(update), "a revision check needs the rows back")
        var both = b
        both.timersToEnsure = [TimerRecord(id: "t1", instanceId: "n1", elementId: "w", dueAt: at)]
        #expect(!PostgresCommit.insertsOnly(both), "two statements on one timer row")
        var deletes = b
        deletes.jobsToDelete = ["j"]
        #expect(!PostgresCommit.insertsOnly(deletes))
        var offsets = b
        offsets.offsets = [OffsetWrite(group: "g", topic: "t", partition: 0, expected: nil, next: 1)]
        #expect(!PostgresCommit.insertsOnly(offsets))
    }

    @Test func aBatchOfNewRowsIsOneQueryWithEveryParameter() async throws {
        var b = CommitBatch()
        b.instances = [InstanceWrite(state: StoreContract.state("n1"), expectedRevision: nil)]
        b.history = [HistoryEntry(instanceId: "n1", elementId: "p", elementType: "process", event: "started", at: at)]
        let q = try #require(try await PostgresCommit.combined(b))
        #expect(q.sql.hasPrefix("WITH s0 AS (INSERT INTO process_instances"))
        #expect(q.sql.contains("s1 AS (INSERT INTO process_history"))
        #expect(q.sql.contains("$15::text[]") && !q.sql.contains("$23"))
        #expect(q.binds.count == 22)
    }
}
