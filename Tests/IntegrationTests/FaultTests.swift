import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// Fault tests: the engine killed at random moments under load, its database stalled, its
/// HTTP peer slow. After each: no acknowledged instance lost, none started twice, no step
/// applied twice, every effect delivered at least once under one idempotency key, and the
/// process's open files and memory back where they were.
///
/// `BPM_FAULT_KILLS` sets the number of kills per store (default 20); `BPM_FAULT_SEED` the
/// random moments (printed, so a failing run can be repeated).
@Suite(.serialized) struct FaultTests {
    static let kills = Int(ProcessInfo.processInfo.environment["BPM_FAULT_KILLS"] ?? "") ?? 20

    static func process(peer: Int) -> String {
        """
        id: fault
        activities:
          - {id: prepare, type: script, set: {stage: 1}}
          - id: deliver
            type: service
            action: http
            method: POST
            url: http://127.0.0.1:\(peer)/effect
            body: {bk: "${bk}"}
            retries: 20
            backoff: 200ms
          - {id: pause, type: timer, duration: 1s}
          - {id: done, type: end}
        """
    }

    /// Starts instances with unique business keys from `parallel` clients until `stop` is
    /// set; returns the keys the server acknowledged (201).
    final class Load: @unchecked Sendable {
        private let lock = NSLock()
        private var acked: [String] = []
        private var stopped = false
        var stop: Bool {
            get { lock.withLock { stopped } }
            set { lock.withLock { stopped = newValue } }
        }
        var acknowledged: [String] { lock.withLock { acked } }

        func run(base: String, prefix: String, parallel: Int = 8) async {
            await withTaskGroup(of: Void.self) { group in
                for w in 0..<parallel {
                    group.addTask {
                        var n = 0
                        while !self.stop {
                            n += 1
                            let bk = "\(prefix)-\(w)-\(n)"
                            guard let r = try? await http("POST", "\(base)/processes/fault/start",
                                                          body: #"{"businessKey": "\#(bk)", "variables": {"bk": "\#(bk)"}}"#) else { return }
                            if r.status == 201 { self.lock.withLock { self.acked.append(bk) } }
                        }
                    }
                }
            }
        }
    }

    struct Figures: CustomStringConvertible {
        var store = ""
        var runs = 0, kills = 0, acknowledged = 0, instances = 0, lost = 0, duplicated = 0, stepsTwice = 0, undelivered = 0, unstableKeys = 0
        var description: String {
            "\(store): runs \(runs), kills \(kills), acknowledged starts \(acknowledged), instances \(instances), lost \(lost), started twice \(duplicated), steps applied twice \(stepsTwice), effects undelivered \(undelivered), effects with more than one idempotency key \(unstableKeys)"
        }
    }

    /// Open files and resident memory of a process.
    static func resources(_ pid: Int32) -> (fds: Int, rssKiB: Int) {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? -1
        return (fds, rss)
    }

    /// Waits until no instance of `fault` is running (the store answers through the API).
    static func drained(_ base: String, timeout: TimeInterval = 120) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try await http("GET", "\(base)/processes?definitionId=fault&status=running&limit=1")
            if r.status == 200, r.body[member: "items"] == .list([]) { return }
            try await Task.sleep(nanoseconds: 200_000_000)  // polling another process's progress
        }
        throw TestFailure("instances still running after \(Int(timeout)) s")
    }

    func killRepeatedly(storeURL: String, open: () throws -> any ProcessStore, label: String) async throws -> Figures {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let peer = try PeerServer(dir: dir)
        defer { peer.stop() }
        let defs = try subfolder("defs", of: dir)
        try Self.process(peer: peer.port).write(to: defs.appendingPathComponent("fault.yaml"), atomically: true, encoding: .utf8)
        let seed = UInt64(ProcessInfo.processInfo.environment["BPM_FAULT_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        var rng = SplitMix64(seed: seed)
        print("fault test \(label): seed \(seed) (BPM_FAULT_SEED), \(Self.kills) kills (BPM_FAULT_KILLS)")
        var figures = Figures(store: label)
        var acknowledged: [String] = []
        let args = ["--no-watch", "--lease", "3"]
        for run in 0..<Self.kills {
            let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs, extra: args, storeURL: storeURL)
            figures.runs += 1
            let load = Load()
            let base = server.base
            let clients = Task { await load.run(base: base, prefix: "r\(run)") }
            // a random moment: during start-up work, mid-load, with timers and calls in flight
            try await Task.sleep(nanoseconds: 150_000_000 + rng.next() % 1_200_000_000)
            server.kill(SIGKILL)
            figures.kills += 1
            load.stop = true
            await clients.value
            acknowledged += load.acknowledged
        }
        // one more life, without a kill: everything accepted before finishes
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs, extra: args, storeURL: storeURL)
        figures.runs += 1
        try await Self.drained(server.base)
        // open files and memory: after a burst of work and after another one, the same (the
        // first burst opens what stays open — keep-alive connections, pooled statements)
        func burst(_ prefix: String) async throws -> Int {
            let load = Load()
            let base = server.base
            let clients = Task { await load.run(base: base, prefix: prefix) }
            try await Task.sleep(nanoseconds: 2_000_000_000)  // two seconds of load, measured in wall time on purpose
            load.stop = true
            await clients.value
            acknowledged += load.acknowledged
            try await Self.drained(server.base)
            return load.acknowledged.count
        }
        _ = try await burst("warm")
        let before = Self.resources(server.process.processIdentifier)
        let more = try await burst("after")
        let after = Self.resources(server.process.processIdentifier)
        print("fault test \(label): open files \(before.fds) → \(after.fds), RSS \(before.rssKiB / 1024) → \(after.rssKiB / 1024) MiB after \(more) more instances")
        // a leak grows with the work (a thousand instances); SQLite's reader pool opens up to
        // five connections lazily, as concurrent reads need them (a database and a log
        // descriptor each), and the first burst may not have needed them all
        #expect(after.fds <= before.fds + 10, "open files grew from \(before.fds) to \(after.fds)")
        #expect(after.rssKiB <= before.rssKiB + 64 * 1024, "memory grew from \(before.rssKiB) KiB to \(after.rssKiB) KiB")
        server.kill(SIGTERM)

        // the store's account
        let store = try open()
        let instances = try await store.instances(InstanceQuery(definitionId: "fault", limit: 10_000_000))
        figures.acknowledged = acknowledged.count
        figures.instances = instances.count
        var byKey: [String: Int] = [:]
        for i in instances { byKey[i.businessKey ?? "", default: 0] += 1 }
        figures.lost = acknowledged.filter { byKey[$0] == nil }.count
        figures.duplicated = byKey.values.filter { $0 > 1 }.count
        #expect(instances.allSatisfy { $0.status == .completed }, "\(instances.filter { $0.status != .completed }.count) not completed")
        for i in instances {
            let completed = try await store.history(instanceId: i.id).filter { $0.event == "completed" && $0.elementType != "process" }
            if Set(completed.map(\.elementId)).count != completed.count { figures.stepsTwice += 1 }
        }
        // effects: at least once per instance, every delivery of one instance under one key
        var keys: [String: Set<String>] = [:]
        for r in peer.requests where r[member: "path"] == "/effect" {
            let bk = (try? JSON.parse(r[member: "body"].stringValue ?? ""))?[member: "bk"].stringValue ?? ""
            keys[bk, default: []].insert(r[member: "key"].stringValue ?? "")
        }
        figures.undelivered = instances.filter { keys[$0.businessKey ?? ""] == nil }.count
        figures.unstableKeys = keys.values.filter { $0.count > 1 }.count
        print("fault test \(figures)")
        #expect(figures.lost == 0 && figures.duplicated == 0 && figures.stepsTwice == 0 && figures.undelivered == 0 && figures.unstableKeys == 0, "\(figures)")
        #expect(figures.acknowledged > figures.kills, "the load made progress between kills: \(figures)")
        return figures
    }

    @Test(.timeLimit(.minutes(10))) func killedTwentyTimesUnderLoadOnSQLiteLosesNothing() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // the store file lives in the test's own folder (killRepeatedly makes it); pass its URL
        let path = dir.appendingPathComponent("fault.sqlite").path
        _ = try await killRepeatedly(storeURL: "sqlite:\(path)", open: { try SQLiteStore(path: path) }, label: "SQLite")
    }

    @Test(.timeLimit(.minutes(10))) func killedTwentyTimesUnderLoadOnPostgreSQLLosesNothing() async throws {
        let pg = try TestPostgres.server()
        let url = try pg.createDatabase("faults")
        _ = try await killRepeatedly(storeURL: url, open: { try PostgresStore(url: url) }, label: "PostgreSQL")
    }

    /// A database that stops answering (SIGSTOP: connections stay open, nothing comes back)
    /// must give 503s within the store's bound, not hang requests or the timer loop; once it
    /// answers again, everything accepted before completes.
    @Test(.timeLimit(.minutes(5))) func aStalledDatabaseGives503sWithinTheBoundThenEverythingCompletes() async throws {
        let pg = try TestPostgres()  // its own server: this test freezes it
        defer { try? pg.stop() }
        let url = try pg.createDatabase("stall")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try timedProcess.replacingOccurrences(of: "duration: 4s", with: "duration: 1s").write(to: dir.appendingPathComponent("timed.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("unused"), definitions: dir, extra: ["--lease", "5", "--no-watch"], storeURL: url)
        defer { server.kill(SIGTERM) }
        let started = try await startTimed(60, on: [server], parallel: 6)

        try pg.signal(SIGSTOP)
        let t0 = Date()
        let during = try await http("POST", "\(server.base)/processes/timed/start", body: "{}")
        let waited = Date().timeIntervalSince(t0)
        #expect(during.status == 503, "\(during.text)")
        #expect(during.body[member: "type"].stringValue?.hasSuffix("store-unavailable") == true, "\(during.text)")
        #expect(waited < 15, "answered after \(waited) s")
        let ready = try await http("GET", "\(server.base)/health/ready")
        #expect(ready.status == 503)
        try pg.signal(SIGCONT)

        try await eventually("the engine is ready again") { try await http("GET", "\(server.base)/health/ready").status == 200 }
        let more = try await startTimed(20, on: [server], parallel: 4)
        let store = try PostgresStore(url: url)
        let deadline = Date().addingTimeInterval(60)
        var done = 0, all = 0
        while Date() < deadline {
            (done, all) = (try await store.countInstances(status: .completed), try await store.countInstances(status: nil))
            if done == all && done >= started.count + more.count { break }
            try await Task.sleep(nanoseconds: 200_000_000)  // polling another process's progress
        }
        #expect(done == all, "every instance completes")
        // the start answered 503 during the stall may have been applied once the database went on
        #expect(all == started.count + more.count || all == started.count + more.count + 1, "\(all) instances")
    }

    /// SIGTERM under load: intake and HTTP stop taking work, what was acknowledged is
    /// committed, connector calls still running get --shutdown-timeout, and the process exits
    /// 0 within it; the calls it could not wait for are made again at the next start, under
    /// the same idempotency key.
    @Test(.timeLimit(.minutes(5))) func aGracefulShutdownDrainsWithinItsBound() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let peer = try PeerServer(dir: dir)
        defer { peer.stop() }
        let defs = try subfolder("defs", of: dir)
        try Self.process(peer: peer.port).write(to: defs.appendingPathComponent("fault.yaml"), atomically: true, encoding: .utf8)
        try """
        id: slowcall
        activities:
          - {id: call, type: service, action: http, method: POST, url: "http://127.0.0.1:\(peer.port)/slow?s=60", request_timeout: 120s}
        """.write(to: defs.appendingPathComponent("slow.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let log = dir.appendingPathComponent("serve.log")
        var server = try Server(store: db, definitions: defs, extra: ["--no-watch", "--shutdown-timeout", "2", "--log-level", "info"], stderr: log)
        var slow: [String] = []
        for _ in 0..<3 { slow.append(try #require(try await http("POST", "\(server.base)/processes/slowcall/start", body: "{}").body[member: "id"].stringValue)) }
        try await eventually("the slow calls reach the peer") { peer.requests.filter { $0[member: "path"] == "/slow?s=60" }.count == 3 }
        let load = Load()
        let base = server.base
        let clients = Task { await load.run(base: base, prefix: "term") }
        try await Task.sleep(nanoseconds: 1_000_000_000)  // a second of load first (wall time on purpose)
        let t0 = Date()
        server.kill(SIGTERM)
        let took = Date().timeIntervalSince(t0)
        load.stop = true
        await clients.value
        #expect(server.process.terminationStatus == 0)
        #expect(took < 2 + 3, "SIGTERM took \(took) s with --shutdown-timeout 2")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("shutdown: stopped at --shutdown-timeout (2.0 s) with 0 queued item(s) and 3 connector call(s) unfinished"), "\(text.suffix(1500))")

        // everything acknowledged was committed; the three calls are made again, same keys
        server = try Server(store: db, definitions: defs, extra: ["--no-watch"])
        defer { server.kill(SIGKILL) }
        let store = try SQLiteStore(path: db.path)
        let instances = try await store.instances(InstanceQuery(definitionId: "fault", limit: 1_000_000))
        let keys = Set(instances.compactMap(\.businessKey))
        #expect(load.acknowledged.allSatisfy { keys.contains($0) }, "\(load.acknowledged.filter { !keys.contains($0) }.count) acknowledged starts lost")
        #expect(load.acknowledged.count > 0)
        try await eventually("the unfinished calls are made again") { peer.requests.filter { $0[member: "path"] == "/slow?s=60" }.count == 6 }
        let calls = peer.requests.filter { $0[member: "path"] == "/slow?s=60" }.compactMap { $0[member: "key"].stringValue }
        #expect(Set(calls).count == 3 && Set(calls) == Set(slow.map { "\($0)-j1" }), "\(calls)")

        // without work in flight, a shutdown is quick
        try await Self.drained(server.base)
        let quiet = try Server(store: dir.appendingPathComponent("other.sqlite"), definitions: defs, extra: ["--no-watch"])
        let t1 = Date()
        quiet.kill(SIGTERM)
        #expect(Date().timeIntervalSince(t1) < 2 && quiet.process.terminationStatus == 0)
    }

    /// An HTTP peer that takes longer than the call's timeout: calls time out and are retried,
    /// the engine keeps answering other requests at once, and nothing piles up.
    @Test(.timeLimit(.minutes(5))) func aSlowHTTPPeerDoesNotHoldUpTheEngine() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let peer = try PeerServer(dir: dir)
        defer { peer.stop() }
        let defs = try subfolder("defs", of: dir)
        try """
        id: slowcall
        activities:
          - id: call
            type: service
            action: http
            method: POST
            url: http://127.0.0.1:\(peer.port)/slow?s=3
            request_timeout: 1s
            retries: 1
            backoff: 100ms
        """.write(to: defs.appendingPathComponent("slow.yaml"), atomically: true, encoding: .utf8)
        try "id: quick\nactivities:\n  - {id: s, type: script, set: {x: 1}}\n".write(to: defs.appendingPathComponent("quick.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs, extra: ["--no-watch"])
        defer { server.kill(SIGTERM) }
        let before = Self.resources(server.process.processIdentifier)
        var slow: [String] = []
        for _ in 0..<40 { slow.append(try #require(try await http("POST", "\(server.base)/processes/slowcall/start", body: "{}").body[member: "id"].stringValue)) }
        // while 40 calls hang on the peer, other work is answered at once
        var worst = 0.0
        for _ in 0..<20 {
            let t = Date()
            let r = try await http("POST", "\(server.base)/processes/quick/start", body: "{}")
            #expect(r.status == 201 && r.body[member: "status"] == "completed")
            worst = max(worst, Date().timeIntervalSince(t))
        }
        #expect(worst < 1, "a quick instance took \(worst) s while the peer was slow")
        // each call times out after 1 s and is tried twice; then an incident names the timeout
        try await eventually("every slow call has ended in an incident") {
            let r = try await http("GET", "\(server.base)/incidents")
            return r.body[member: "items"].listValue?.count == 40
        }
        let incidents = try await http("GET", "\(server.base)/incidents").body[member: "items"].listValue ?? []
        #expect(incidents.allSatisfy { ($0[member: "message"].stringValue ?? "").lowercased().contains("timed out") }, "\(incidents.first ?? .null)")
        #expect(Set(incidents.map { $0[member: "instanceId"].stringValue ?? "" }) == Set(slow))
        do { try await eventually("the peer has seen every call") { peer.requests.count == 80 } } catch {
            Issue.record("the peer saw \(peer.requests.count) calls, not 80: \((try? String(contentsOf: peer.log, encoding: .utf8))?.prefix(300) ?? "no log")")
        }
        // Open files after the first round include what the engine opens once, on first use (the
        // HTTP client's event loops, connection pool): the baseline. A second round of 40 calls
        // that time out must not add to it — a leak of one per call would leave about 80 more.
        let warm = Self.resources(server.process.processIdentifier)
        for _ in 0..<40 { _ = try await http("POST", "\(server.base)/processes/slowcall/start", body: "{}") }
        try await eventually("the second round has ended in incidents too") {
            try await http("GET", "\(server.base)/incidents?limit=1000").body[member: "items"].listValue?.count == 80
        }
        var after = warm
        do {
            try await eventually("open files are back near where they were after the first round") {
                after = Self.resources(server.process.processIdentifier)
                return after.fds <= warm.fds + 4
            }
        } catch {
            let grew = "open files grew from \(warm.fds) after the first round to \(after.fds) after the second"
            Issue.record("\(grew) (\(before.fds) at start)")
        }
    }
}
