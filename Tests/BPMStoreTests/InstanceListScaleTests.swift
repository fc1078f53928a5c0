import BPMEngine
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// The instance list at a million instances: every sort (both orders) and filter the UI offers
/// reads by an index, on SQLite (`EXPLAIN QUERY PLAN`) and PostgreSQL (`EXPLAIN`), and a
/// keyset page deep in the list costs what the first does. The rows are written by SQL
/// (`BPM_SCALE_ROWS`, default 200,000 so the suite's timing tests beside it keep their CPU and
/// disk; `BPM_SCALE_ROWS=1000000` gives the figures of docs/operations.md); the figures are printed.
@Suite(.serialized) struct InstanceListScaleTests {
    static let rows = Int(ProcessInfo.processInfo.environment["BPM_SCALE_ROWS"] ?? "") ?? 200_000
    static let base = 1_800_000_000

    /// Row x: started at base + x s; ended a minute later unless x % 3 == 1 (running); definition
    /// def-(x % 10); business key for x % 4 == 0, correlation key for x % 5 == 0.
    static func id(_ x: Int) -> String { "i" + String(repeating: "0", count: max(0, 7 - String(x).count)) + String(x) }

    /// The pages the UI reads: each sort and order without a filter, first and after a cursor;
    /// each filter with each sort.
    static func queries() -> [(name: String, unfiltered: Bool, query: InstanceQuery)] {
        var out: [(String, Bool, InstanceQuery)] = []
        let middle = Date(timeIntervalSince1970: Double(base + 500_000))
        let cursor = InstanceCursor(text: "def-5", date: middle, id: id(500_000))
        let filters: [(String, (inout InstanceQuery) -> Void)] = [
            ("definition", { $0.definitionId = "def-3" }), ("status", { $0.status = .running }),
            ("definition+status", { $0.definitionId = "def-3"; $0.status = .completed }),
            ("business key", { $0.businessKey = "bk-0000400" }), ("correlation key", { $0.correlationKey = "ck-500" }),
            ("waiting at", { $0.waitingAt = "task" }),
        ]
        for sort in InstanceSort.allCases {
            for ascending in [false, true] {
                var q = InstanceQuery(limit: 50)
                q.sort = sort
                q.ascending = ascending
                out.append(("\(sort) \(ascending ? "asc" : "desc")", true, q))
                q.after = cursor
                out.append(("\(sort) \(ascending ? "asc" : "desc") after a cursor", true, q))
            }
            for (name, apply) in filters {
                var q = InstanceQuery(limit: 50)
                q.sort = sort
                apply(&q)
                out.append(("\(sort) by \(name)", false, q))
            }
        }
        return out
    }

    @Test func onSQLiteEverySortAndFilterReadsByAnIndexAndDeepKeysetPagesStayFast() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sqlite").path
        let store = try SQLiteStore(path: path, synchronous: "NORMAL")
        try await store.migrate()
        let started = Date()
        try Self.run("/usr/bin/sqlite3", [path, Self.sqliteRows])
        print("instance list scale: \(Self.rows) rows written to SQLite in \(Self.ms(started)) ms")
        for (name, unfiltered, q) in Self.queries() {
            let plan = try await store.instancePlan(q)
            let reads = plan.filter { $0.contains("process_instances") }
            let indexed = reads.allSatisfy { $0.contains("USING INDEX") || $0.contains("USING COVERING INDEX") }
            #expect(!reads.isEmpty && indexed, "\(name): \(plan)")
            if unfiltered { #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name) sorts nothing: \(plan)") }
        }
        try await Self.pageFigures(store, kind: "SQLite")
    }

    @Test func onPostgreSQLEverySortAndFilterReadsByAnIndexAndDeepKeysetPagesStayFast() async throws {
        let server = try TestPostgres.server()
        let url = try server.createDatabase("scale")
        let store = try PostgresStore(url: url, maxConnections: 2)
        store.operationTimeout = 300
        try await store.migrate()
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let started = Date()
        _ = try server.psql(database, Self.postgresRows)
        print("instance list scale: \(Self.rows) rows written to PostgreSQL in \(Self.ms(started)) ms")
        for (name, unfiltered, q) in Self.queries() {
            let plan = try await store.instancePlan(q)
            let indexed = !plan.contains { $0.contains("Seq Scan") } && plan.contains { $0.contains("Index") }
            #expect(indexed, "\(name): \(plan)")
            if unfiltered { #expect(!plan.contains { $0.contains("Sort") }, "\(name) sorts nothing: \(plan)") }
        }
        try await Self.pageFigures(store, kind: "PostgreSQL")
    }

    /// The first page, a keyset page in the middle and the same page by offset: the rows and the times.
    static func pageFigures(_ store: any ProcessStore, kind: String) async throws {
        let middle = rows / 2
        var first = InstanceQuery(limit: 50)
        var t = Date()
        let top = try await store.instances(first)
        let firstMs = ms(t)
        #expect(top.map(\.id) == (0..<50).map { id(rows - $0) })
        first.after = InstanceCursor(date: Date(timeIntervalSince1970: Double(base + middle)), id: id(middle))
        t = Date()
        let keyset = try await store.instances(first)
        let keysetMs = ms(t)
        #expect(keyset.map(\.id) == (1...50).map { id(middle - $0) })
        let byOffset = InstanceQuery(limit: 50, offset: rows - middle + 1)
        t = Date()
        let skipped = try await store.instances(byOffset)
        let offsetMs = ms(t)
        #expect(skipped.map(\.id) == keyset.map(\.id), "the same page")
        var ended = InstanceQuery(limit: 50)
        ended.sort = .ended
        ended.after = InstanceCursor(id: id(middle))
        t = Date()
        let running = try await store.instances(ended)
        let endedMs = ms(t)
        #expect(running.count == 50 && running.allSatisfy { $0.completedAt == nil && $0.id < id(middle) })
        print("instance list scale (\(kind), \(rows) rows): first page \(firstMs) ms; page after row \(middle): "
              + "keyset \(keysetMs) ms, offset \(offsetMs) ms; by end, among the running: \(endedMs) ms")
        // the times are figures, not assertions (the suite runs beside other work): that a keyset page
        // reads only its rows is what the plan checks above assert
    }

    static func ms(_ since: Date) -> Int { Int(Date().timeIntervalSince(since) * 1000) }

    static var sqliteRows: String {
        """
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < \(rows))
        INSERT INTO process_instances (id, definition_id, definition_version, status, variables, current_activity,
            started_at, completed_at, correlation_key, business_key, state, revision, updated_at)
        SELECT printf('i%07d', x), 'def-' || (x % 10), 1,
            CASE x % 3 WHEN 1 THEN 'running' WHEN 0 THEN 'completed' ELSE 'failed' END, '{}', 'task',
            strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + x, 'unixepoch'),
            CASE WHEN x % 3 = 1 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + x + 60, 'unixepoch') END,
            CASE WHEN x % 5 = 0 THEN 'ck-' || x END, CASE WHEN x % 4 = 0 THEN printf('bk-%07d', x) END,
            '{}', 1, strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + x, 'unixepoch')
        FROM n;
        ANALYZE;
        """
    }

    static var postgresRows: String {
        """
        INSERT INTO process_instances (id, definition_id, definition_version, status, variables, current_activity,
            started_at, completed_at, correlation_key, business_key, state, revision, updated_at)
        SELECT 'i' || lpad(x::text, 7, '0'), 'def-' || (x % 10), 1,
            CASE x % 3 WHEN 1 THEN 'running' WHEN 0 THEN 'completed' ELSE 'failed' END, '{}', 'task',
            to_timestamp(\(base) + x), CASE WHEN x % 3 = 1 THEN NULL ELSE to_timestamp(\(base) + x + 60) END,
            CASE WHEN x % 5 = 0 THEN 'ck-' || x END, CASE WHEN x % 4 = 0 THEN 'bk-' || lpad(x::text, 7, '0') END,
            '{}', 1, to_timestamp(\(base) + x)
        FROM generate_series(1, \(rows)) x;
        ANALYZE process_instances;
        """
    }

    static func run(_ exe: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(exe): \(message)")
    }
}
