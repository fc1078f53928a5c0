import ArgumentParser
import BPMEngine
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import Foundation

/// `bpm bench --queries N`: fills a fresh store with N instances (ten definitions, half of
/// them running, variables on each) and N/10 open user tasks, then times the list queries the
/// API runs — the median and the slowest of 21 runs each.
struct QueryBench {
    let instances: Int
    let stores: [String]
    let json: Bool

    struct Figure {
        var store: String
        var query: String
        var rows: Int
        var medianMs: Double
        var maxMs: Double
    }

    func run() async throws {
        var figures: [Figure] = []
        for spec in BenchSupport.withSQLite(stores) {
            if spec.hasPrefix("postgres") {
                let (url, drop) = try await PostgresStore.scratchDatabase(serverURL: spec, prefix: "bpm_query_bench")
                do {
                    figures += try await measure(try PostgresStore(url: url, maxConnections: 8), label: "postgres")
                    await drop()
                } catch {
                    await drop()
                    throw error
                }
            } else {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-qbench-\(UUIDv7.make())")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: dir) }
                figures += try await measure(try SQLiteStore(path: dir.appendingPathComponent("q.sqlite").path, synchronous: "NORMAL"), label: "sqlite")
            }
        }
        if json {
            print(JSON.encode(.list(figures.map { f in
                ["store": .string(f.store), "query": .string(f.query), "rows": .number(Double(f.rows)),
                 "median_ms": .number((f.medianMs * 100).rounded() / 100), "max_ms": .number((f.maxMs * 100).rounded() / 100)]
            })))
            return
        }
        print("list queries at \(instances) instances and \(instances / 10) open tasks (21 runs each)")
        print("store     " + "query".padding(toLength: 62, withPad: " ", startingAt: 0) + "  rows  median ms   max ms")
        for f in figures {
            print(f.store.padding(toLength: 10, withPad: " ", startingAt: 0) + f.query.padding(toLength: 62, withPad: " ", startingAt: 0)
                + String(format: "%6d %10.2f %8.2f", f.rows, f.medianMs, f.maxMs))
        }
    }

    func measure(_ store: any ProcessStore, label: String) async throws -> [Figure] {
        try await store.migrate()
        let base = Date(timeIntervalSince1970: 1_780_000_000)
        let chunk = 10_000
        var written = 0
        let t0 = Date()
        while written < instances {
            var b = CommitBatch()
            for i in written..<min(instances, written + chunk) {
                var s = InstanceState(id: String(format: "inst-%08d", i), definitionId: "def-\(i % 10)", definitionVersion: 1 + i % 3,
                                      variables: ["device": .string("dev-\(i % 50_000)"), "n": .number(Double(i)), "site": .string("site-\(i % 20)")],
                                      correlationKey: nil, startedAt: base.addingTimeInterval(Double(i)))
                s.status = i % 2 == 0 ? .running : .completed
                if s.status == .completed { s.endedAt = s.startedAt.addingTimeInterval(60) }
                s.revision = 1
                b.instances.append(InstanceWrite(state: s, expectedRevision: nil))
                if i % 10 == 0 {
                    b.tasksToAdd.append(UserTaskRecord(id: String(format: "task-%08d", i), instanceId: s.id, definitionId: s.definitionId, elementId: "approve",
                                                       name: "Approve", assignee: i % 30 == 0 ? "user-\(i % 100)" : nil, candidateUsers: [],
                                                       candidateGroups: ["group-\(i % 7)"], priority: i % 100, form: nil, description: nil, status: "open",
                                                       createdAt: s.startedAt, dueAt: s.startedAt.addingTimeInterval(Double(i % 1000) * 3600)))
                }
            }
            try await store.commit(b)
            written = min(instances, written + chunk)
        }
        // as autovacuum (PostgreSQL) or an operator's ANALYZE (SQLite) would in steady state
        if let pg = store as? PostgresStore { try await pg.analyze() }
        if let lite = store as? SQLiteStore { try await lite.analyze() }
        FileHandle.standardError.write(Data("\(label): stored \(instances) instances in \(String(format: "%.0f", Date().timeIntervalSince(t0))) s\n".utf8))

        func time(_ name: String, _ body: () async throws -> Int) async throws -> Figure {
            var runs: [Double] = []
            var rows = 0
            for _ in 0..<21 {
                let s = DispatchTime.now().uptimeNanoseconds
                rows = try await body()
                runs.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6)
            }
            runs.sort()
            return Figure(store: label, query: name, rows: rows, medianMs: runs[10], maxMs: runs[20])
        }
        var out: [Figure] = []
        out.append(try await time("instances: newest 50") { try await store.instances(InstanceQuery(limit: 50)).count })
        out.append(try await time("instances: definition + status, newest 50") {
            try await store.instances(InstanceQuery(definitionId: "def-4", status: .running, limit: 50)).count
        })
        out.append(try await time("instances: definition + version + status, page 20") {
            var q = InstanceQuery(definitionId: "def-2", status: .running, limit: 50, offset: 950)
            q.definitionVersion = 2
            return try await store.instances(q).count
        })
        out.append(try await time("instances: started in a one-hour window") {
            var q = InstanceQuery(limit: 50)
            q.startedAfter = base.addingTimeInterval(Double(instances / 2))
            q.startedBefore = base.addingTimeInterval(Double(instances / 2 + 3600))
            return try await store.instances(q).count
        })
        out.append(try await time("instances: business key") { try await store.instances(InstanceQuery(businessKey: "nope", limit: 50)).count })
        out.append(try await time("instances: variable device = dev-4242") {
            var q = InstanceQuery(limit: 50)
            q.variables = ["device": "dev-4242"]
            return try await store.instances(q).count
        })
        out.append(try await time("tasks: candidate group, by priority, 50") { try await store.userTasks(TaskQuery(candidateGroup: "group-3", limit: 50)).count })
        out.append(try await time("tasks: assignee, by priority, 50") { try await store.userTasks(TaskQuery(assignee: "user-30", limit: 50)).count })
        out.append(try await time("tasks: definition + min priority, 50") {
            var q = TaskQuery(limit: 50)
            q.definitionId = "def-0"
            q.minPriority = 90
            return try await store.userTasks(q).count
        })
        out.append(try await time("tasks: due before a date, soonest first, 50") {
            var q = TaskQuery(limit: 50)
            q.dueBefore = base.addingTimeInterval(Double(instances / 2))
            q.sort = .due
            return try await store.userTasks(q).count
        })
        out.append(try await time("count running instances") { try await store.countInstances(status: .running) })
        return out
    }
}
