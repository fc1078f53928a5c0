import ArgumentParser
import BPMExpressions
import BPMStore
import Foundation

/// DBOS (PyPI `dbos`), a durable-execution library that persists every workflow and step to
/// SQLite or PostgreSQL — the same promise this engine makes, so the honest peer for persisted
/// throughput. `dbos_bench.py` (in the peer folder) runs straight-through's shape as a workflow
/// of three steps with C client threads until N workflows completed, then counts DBOS's rows to
/// show each was persisted.
struct DBOSPeer {
    /// One backend's figures.
    struct Figures {
        var backend: String
        var perSecond: Double
        var p50: Double
        var p99: Double
        var completed: Int
        /// DBOS's rows for the run's workflows (warm-up included), and whether each workflow
        /// and its three steps are there.
        var rows: Int
        var persisted: Bool
        var version: String
    }

    let script: String
    let python: String

    /// The script beside the Spiff one, when the folder has it.
    init?(folder: String, python: String) {
        let path = (folder as NSString).appendingPathComponent("dbos_bench.py")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        script = path
        self.python = python
    }

    /// Whether `python` can import dbos.
    var installed: Bool {
        (try? Self.exec(["/usr/bin/env", python, "-c", "import dbos"]).status) == 0
    }

    /// Runs the workflow `instances` times with `clients` threads on `backend` ("sqlite", or a
    /// `postgres://` server URL on which the script makes a scratch database).
    func run(backend: String, instances: Int, clients: Int) throws -> Figures {
        var args = ["/usr/bin/env", python, script, "-n", "\(instances)", "-c", "\(clients)"]
        if backend.hasPrefix("postgres") {
            // SQLAlchemy's name for the dialect; the script connects to the server's database
            // only to create and drop its own
            let url = "postgresql" + backend.drop(while: { $0 != ":" })
            args += ["--backend", "postgres", "--pg-url", url]
        } else {
            args += ["--backend", "sqlite"]
        }
        let (status, out) = try Self.exec(args)
        guard status == 0, let line = out.split(separator: "\n").last, let doc = try? JSON.parse(String(line)) else {
            throw ValidationError("the DBOS peer failed on \(backend) (exit \(status)): \(out.suffix(400))")
        }
        let persisted = doc[member: "persisted"]
        let rows = ["workflow_status_total", "operation_outputs", "workflow_input", "workflow_output"]
            .compactMap { persisted[member: $0].doubleValue }.reduce(0, +)
        return Figures(
            backend: backend.hasPrefix("postgres") ? "postgres" : "sqlite",
            perSecond: doc[member: "workflows_per_second"].doubleValue ?? 0,
            p50: doc[member: "p50_ms"].doubleValue ?? 0, p99: doc[member: "p99_ms"].doubleValue ?? 0,
            completed: Int(doc[member: "completed"].doubleValue ?? 0), rows: Int(rows),
            persisted: doc[member: "persisted_ok"] == .bool(true),
            version: doc[member: "dbos_version"].stringValue ?? "?")
    }

    /// Runs a command to its end; its exit status and standard output with standard error.
    static func exec(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-\(UUIDv7.make()).out")
        guard FileManager.default.createFile(atPath: out.path, contents: nil) else {
            throw ValidationError("cannot write \(out.path)")
        }
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return (p.terminationStatus, text)
    }
}

extension Bench {
    /// DBOS on each store of the run, beside straight-through with the same instances and
    /// clients, on a fresh store of the same kind. Nil (with a note) when dbos is missing.
    func dbosComparison(_ folder: String) async throws -> [(peer: DBOSPeer.Figures, ours: Row)]? {
        guard let dbos = DBOSPeer(folder: folder, python: python) else { return nil }
        guard dbos.installed else {
            print("note: the DBOS peer was not run: \(python) cannot import dbos (pip install dbos)")
            return nil
        }
        var same = self
        same.instances = dbosInstances
        same.concurrency = peerClients
        var out: [(DBOSPeer.Figures, Row)] = []
        for spec in BenchSupport.withSQLite(store) where spec == "sqlite" || spec.hasPrefix("postgres") {
            let peer = try await median(by: \.perSecond) {
                let p = try dbos.run(backend: spec, instances: dbosInstances, clients: peerClients)
                guard p.persisted else {
                    throw ValidationError("the DBOS peer did not persist every workflow on \(spec): \(p.rows) rows")
                }
                return p
            }
            let ours = try await median(by: \.perSecond) {
                try await same.measure(name: "straight-through", source: Self.straightThrough,
                                       expected: ["x": 1.0, "y": 2.0], spec: spec)
            }
            out.append((peer, ours))
        }
        return out
    }

    /// The comparison as table rows, or as JSON list entries.
    func printDBOS(_ rows: [(peer: DBOSPeer.Figures, ours: Row)]) {
        guard let version = rows.first?.peer.version else { return }
        print("\nDBOS \(version) (persisted, same machine, same run), \(dbosInstances) workflows of 3 steps, "
            + "\(peerClients) clients; swift-bpm straight-through with the same instances and clients:")
        print(pad("  store", 12) + lpad("dbos wf/s", 11) + lpad("p50 ms", 9) + lpad("rows/wf", 9)
            + lpad("bpm inst/s", 12) + lpad("p50 ms", 9) + lpad("ratio", 9))
        for (p, o) in rows {
            let perWorkflow = Double(p.rows) / Double(max(1, p.completed + 50))
            print(pad("  " + p.backend, 12) + lpad(String(format: "%.1f", p.perSecond), 11)
                + lpad(String(format: "%.2f", p.p50), 9) + lpad(String(format: "%.1f", perWorkflow), 9)
                + lpad(String(format: "%.0f", o.perSecond), 12) + lpad(String(format: "%.2f", o.p50), 9)
                + lpad(String(format: "%.1fx", o.perSecond / max(p.perSecond, 0.001)), 9))
        }
    }

    func dbosJSON(_ rows: [(peer: DBOSPeer.Figures, ours: Row)]) -> [Value] {
        rows.flatMap { p, o -> [Value] in
            let peer: [String: Value] = [
                "name": "dbos-straight-through", "store": .string(p.backend), "instances": .number(Double(p.completed)),
                "clients": .number(Double(peerClients)), "instances_per_second": .number(p.perSecond),
                "p50_ms": .number(p.p50), "p99_ms": .number(p.p99), "rows": .number(Double(p.rows)),
                "dbos_version": .string(p.version),
            ]
            let ours: [String: Value] = [
                "name": "straight-through-vs-dbos", "store": .string(o.store),
                "instances": .number(Double(o.instances)),
                "clients": .number(Double(peerClients)),
                "instances_per_second": .number((o.perSecond * 10).rounded() / 10),
                "p50_ms": .number((o.p50 * 1000).rounded() / 1000),
                "p99_ms": .number((o.p99 * 1000).rounded() / 1000),
                "ratio": .number((o.perSecond / max(p.perSecond, 0.001) * 10).rounded() / 10),
            ]
            return [.context(peer), .context(ours)]
        }
    }
}
