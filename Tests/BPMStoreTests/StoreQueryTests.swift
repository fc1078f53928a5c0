import BPMEngine
import BPMExpressions
import BPMStore
import BPMTestSupport
import Foundation
import Testing

/// The queries behind the UI's lists: instances sorted and paged, incidents filtered by
/// definition, element and message text — the same on SQLite and PostgreSQL.
@Suite struct StoreQueryTests {
    @Test(arguments: StoreKind.allCases) func instancesSortAndPage(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        for i in 0..<7 {
            var s = InstanceState(id: "s\(i)", definitionId: i % 2 == 0 ? "b-even" : "a-odd", definitionVersion: 1, variables: [:],
                                  businessKey: i == 3 ? nil : "key-\(6 - i)", startedAt: at + Double(i) * 60)
            s.revision = 1
            if i < 4 { s.status = .completed; s.endedAt = at + 1000 - Double(i) * 100 }
            b.instances.append(InstanceWrite(state: s, expectedRevision: nil))
        }
        try await store.commit(b)
        func ids(_ sort: InstanceSort, ascending: Bool = false, limit: Int = 50, offset: Int = 0) async throws -> [String] {
            var q = InstanceQuery(limit: limit, offset: offset)
            q.sort = sort
            q.ascending = ascending
            return try await store.instances(q).map(\.id)
        }
        #expect(try await ids(.started) == ["s6", "s5", "s4", "s3", "s2", "s1", "s0"])
        #expect(try await ids(.started, ascending: true, limit: 3, offset: 2) == ["s2", "s3", "s4"])
        #expect(try await ids(.ended, ascending: true) == ["s3", "s2", "s1", "s0", "s4", "s5", "s6"], "not ended last")
        #expect(try await ids(.ended).prefix(4) == ["s0", "s1", "s2", "s3"])
        #expect(try await ids(.definition, ascending: true) == ["s1", "s3", "s5", "s0", "s2", "s4", "s6"])
        #expect(try await ids(.businessKey, ascending: true) == ["s6", "s5", "s4", "s2", "s1", "s0", "s3"], "no key last")
    }

    /// Keyset pages (forward and back, two rows a page) give the rows of one page, for every
    /// sort and order, across ties of the sorted value and rows without one.
    @Test(arguments: StoreKind.allCases)
    func keysetPagesForwardAndBackGiveTheRowsOfOnePage(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        for i in 0..<9 {
            // starts in pairs (ties), ends for the even ones (ties too), keys for a third
            var s = InstanceState(id: "k\(i)", definitionId: i % 2 == 0 ? "b" : "a", definitionVersion: 1,
                                  variables: [:], businessKey: i % 3 == 0 ? nil : "key-\(i % 2)",
                                  startedAt: at + Double(i / 2) * 60)
            s.revision = 1
            if i % 2 == 0 { s.status = .completed; s.endedAt = at + 1000 + Double(i % 4) }
            b.instances.append(InstanceWrite(state: s, expectedRevision: nil))
        }
        try await store.commit(b)
        for sort in InstanceSort.allCases {
            for ascending in [false, true] {
                var q = InstanceQuery(limit: 50)
                q.sort = sort
                q.ascending = ascending
                let all = try await store.instances(q)
                q.limit = 2
                var forward: [InstanceSummary] = []
                for _ in 0..<10 {
                    let page = try await store.instances(q)
                    forward += page
                    guard page.count == 2, let last = page.last else { break }
                    q.after = InstanceCursor(token: InstanceCursor(after: last, sort: sort).token)
                }
                #expect(forward.map(\.id) == all.map(\.id), "\(sort) \(ascending ? "asc" : "desc") forward")
                q.after = nil
                var back: [InstanceSummary] = []
                q.before = InstanceCursor(after: all[all.count - 1], sort: sort)
                for _ in 0..<10 {
                    let page = try await store.instances(q)
                    back = page.reversed() + back
                    guard page.count == 2, let nearest = page.last else { break }
                    q.before = InstanceCursor(after: nearest, sort: sort)
                }
                #expect(back.map(\.id) == all.dropLast().map(\.id), "\(sort) \(ascending ? "asc" : "desc") back")
            }
        }
        #expect(InstanceCursor(token: "not a cursor") == nil)
    }

    @Test(arguments: StoreKind.allCases) func incidentsFilterByDefinitionElementAndMessage(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        var b = CommitBatch()
        for (id, def) in [("p1", "pay"), ("p2", "pay"), ("p3", "ship")] {
            var s = InstanceState(id: id, definitionId: def, definitionVersion: 1, variables: [:], startedAt: at)
            s.revision = 1
            b.instances.append(InstanceWrite(state: s, expectedRevision: nil))
        }
        b.incidentsToAdd = [
            Incident(id: "x1", instanceId: "p1", elementId: "charge", type: "job_failed", message: "Card DECLINED (50%_off)", jobId: nil, createdAt: at),
            Incident(id: "x2", instanceId: "p2", elementId: "charge", type: "job_failed", message: "timeout", jobId: nil, createdAt: at + 1),
            Incident(id: "x3", instanceId: "p3", elementId: "label", type: "job_failed", message: "printer declined", jobId: nil, createdAt: at + 2),
        ]
        try await store.commit(b)
        func ids(_ build: (inout IncidentQuery) -> Void) async throws -> [String] {
            var q = IncidentQuery()
            build(&q)
            return try await store.incidents(q).map(\.incident.id)
        }
        #expect(try await ids { _ in } == ["x1", "x2", "x3"])
        #expect(try await ids { $0.definitionId = "pay" } == ["x1", "x2"])
        #expect(try await ids { $0.elementId = "label" } == ["x3"])
        #expect(try await ids { $0.messageContains = "declined" } == ["x1", "x3"], "case-insensitive")
        #expect(try await ids { $0.messageContains = "%_" } == ["x1"], "% and _ are literal")
        #expect(try await ids { $0.messageContains = "50_" } == [])
        #expect(try await ids { $0.definitionId = "pay"; $0.messageContains = "declined" } == ["x1"])
        #expect(try await ids { $0.instanceIds = ["p2", "p3"] } == ["x2", "x3"])
        #expect(try await ids { $0.instanceIds = [] } == [])
        #expect(try await ids { $0.limit = 1; $0.offset = 1 } == ["x2"])
        var resolve = CommitBatch()
        resolve.incidentsResolved = [(id: "x2", at: at + 5)]
        try await store.commit(resolve)
        #expect(try await ids { $0.definitionId = "pay" } == ["x1"])
        #expect(try await ids { $0.definitionId = "pay"; $0.openOnly = false } == ["x1", "x2"])
    }
}
