import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

let timedProcess = """
    id: timed
    activities:
      - id: wait
        type: timer
        duration: 4s
      - id: log
        type: service
        action: database_log
        message: "done ${n}"
      - id: done
        type: end
    """

/// Starts `count` instances of `timed`, spread over the servers, `parallel` requests at a time.
func startTimed(_ count: Int, on servers: [Server], parallel: Int = 16) async throws -> [String] {
    try await withThrowingTaskGroup(of: [String].self) { group in
        for w in 0..<parallel {
            group.addTask {
                var ids: [String] = []
                for i in stride(from: w, to: count, by: parallel) {
                    let r = try await http("POST", "\(servers[i % servers.count].base)/processes/timed/start", body: "{\"variables\": {\"n\": \(i)}}")
                    guard r.status == 201, let id = r.body[member: "id"].stringValue else { throw TestFailure("start \(i): \(r.status) \(r.text)") }
                    ids.append(id)
                }
                return ids
            }
        }
        var all: [String] = []
        for try await ids in group { all += ids }
        return all
    }
}

@Suite(.serialized) struct ReplicaTests {
    @Test func threeReplicasShareTheWorkAndTakeOverFromOneThatIsKilled() async throws {
        let pg = try TestPostgres.server()
        let url = try pg.createDatabase("replicas")
        let db = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try timedProcess.write(to: dir.appendingPathComponent("timed.yaml"), atomically: true, encoding: .utf8)
        // short leases so the test sees the take-over within seconds
        let servers = try (0..<3).map { _ in
            try Server(store: dir.appendingPathComponent("unused"), definitions: dir, extra: ["--lease", "3", "--no-watch"], storeURL: url)
        }
        defer { for s in servers where s.process.isRunning { s.kill(SIGTERM) } }

        let ids = try await startTimed(2000, on: servers)
        #expect(Set(ids).count == 2000)
        // midway: some instances done, most still waiting on their timers
        try await eventually("some instances completed") {
            Int(try pg.psql(db, "SELECT count(*) FROM process_instances WHERE status = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 100
        }
        let pid = servers[0].process.processIdentifier
        servers[0].kill(SIGKILL)
        let held = try pg.psql(db, "SELECT (SELECT count(*) FROM timers WHERE claimed_by LIKE '%:\(pid):%') || ' timer claims, ' || (SELECT count(*) FROM jobs WHERE locked_by LIKE '%:\(pid):%') || ' job leases'")
        let atKill = Int(try pg.psql(db, "SELECT count(*) FROM process_instances WHERE status = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(atKill < 2000, "the kill happened while work was left")
        print("replicas: killed one with \(atKill)/2000 completed, holding \(held.trimmingCharacters(in: .whitespacesAndNewlines))")

        let deadline = Date().addingTimeInterval(90)
        var done = 0
        while Date() < deadline {
            done = Int(try pg.psql(db, "SELECT count(*) FROM process_instances WHERE status = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if done == 2000 { break }
            try await Task.sleep(nanoseconds: 200_000_000)  // polling the database for the replicas' progress
        }
        #expect(done == 2000, "every instance completes")
        // exactly once: no step twice in any instance's history, one log line per instance
        let duplicates = try pg.psql(db, """
            SELECT count(*) FROM (SELECT instance_id, activity_id, event_type FROM process_history
            GROUP BY instance_id, activity_id, event_type HAVING count(*) > 1) d
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(duplicates == "0")
        #expect(try pg.psql(db, "SELECT count(*) FROM process_history WHERE activity_id = 'wait' AND event_type = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines) == "2000")
        #expect(try pg.psql(db, "SELECT count(DISTINCT instance_id) FROM process_logs").trimmingCharacters(in: .whitespacesAndNewlines) == "2000")
        #expect(try pg.psql(db, "SELECT count(*) FROM timers").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // the survivors still answer for every instance
        let sample = try await http("GET", "\(servers[1].base)/processes/\(ids[0])")
        #expect(sample.body[member: "status"] == "completed")
    }

    @Test func aDatabaseRestartGives503sThenTheEngineContinuesAndLosesNothing() async throws {
        let pg = try TestPostgres()  // its own server: this test stops it
        defer { try? pg.stop() }
        let url = try pg.createDatabase("restart")
        let db = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try timedProcess.replacingOccurrences(of: "duration: 4s", with: "duration: 2s").write(to: dir.appendingPathComponent("timed.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("unused"), definitions: dir, extra: ["--lease", "5", "--no-watch"], storeURL: url)
        defer { server.kill(SIGTERM) }

        var started = try await startTimed(100, on: [server], parallel: 8)
        try pg.stop()
        // during the outage: a clear 503 problem, quickly, not a hang
        let t0 = Date()
        let during = try await http("POST", "\(server.base)/processes/timed/start", body: "{}")
        #expect(during.status == 503, "\(during.text)")
        #expect(during.contentType.hasPrefix("application/problem+json"))
        #expect(during.body[member: "type"].stringValue?.hasSuffix("store-unavailable") == true, "\(during.text)")
        #expect(Date().timeIntervalSince(t0) < 15)
        #expect(try await http("GET", "\(server.base)/health/ready").status == 503)

        try pg.start()
        try await eventually("the engine is ready again") { try await http("GET", "\(server.base)/health/ready").status == 200 }
        started += try await startTimed(50, on: [server], parallel: 8)
        let deadline = Date().addingTimeInterval(60)
        var done = 0
        while Date() < deadline {
            done = Int(try pg.psql(db, "SELECT count(*) FROM process_instances WHERE status = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if done == 150 { break }
            try await Task.sleep(nanoseconds: 200_000_000)  // polling the database for the engine's progress
        }
        #expect(done == 150, "every instance accepted before and after the outage completes")
        #expect(try pg.psql(db, "SELECT count(*) FROM process_instances").trimmingCharacters(in: .whitespacesAndNewlines) == "150")
        #expect(try pg.psql(db, "SELECT count(DISTINCT instance_id) FROM process_logs").trimmingCharacters(in: .whitespacesAndNewlines) == "150")
    }
}
