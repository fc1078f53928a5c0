import BPMEngine
import BPMExpressions
import BPMStore
import BPMStoreSQLite
import Foundation
import Testing

/// SIGKILL `bpm serve` while 1,000 instances are between their timers; after a restart every
/// instance completes exactly once.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test(.timeLimit(.minutes(5))) func everyInstanceCompletesExactlyOnceAfterSIGKILL() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: crash-timers
        activities:
          - {id: wait1, type: timer, duration: 1s}
          - {id: step, type: script, set: {n: 1}}
          - {id: wait2, type: timer, duration: 5s}
          - {id: log, type: service, action: database_log, message: "done ${n}"}
        """.write(to: defs.appendingPathComponent("crash.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let total = 1000

        var server = try Server(store: db, definitions: defs)
        var ids: [String] = []
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<20 {
                let base = server.base
                group.addTask {
                    var mine: [String] = []
                    for _ in 0..<(total / 20) {
                        let r = try await http("POST", "\(base)/processes/crash-timers/start", body: "{}")
                        guard r.status == 201, let id = r.body[member: "id"].stringValue else { throw TestFailure("start failed: \(r.text)") }
                        mine.append(id)
                    }
                    return mine
                }
            }
            for try await m in group { ids += m }
        }
        #expect(Set(ids).count == total)

        // kill once instances are spread over both timers: mid-flight, not before and not after.
        // The second timer is the longer one, so instances gather there however fast they were
        // started: at r starts per second about 5r wait at it when the last start is answered.
        let deadline = Date().addingTimeInterval(60)
        var killedAt = ""
        while Date() < deadline {
            let running = try await http("GET", "\(server.base)/processes?status=running&limit=1000")
            let items = running.body[member: "items"].listValue ?? []
            let atSecond = items.filter { $0[member: "currentActivities"] == ["wait2"] }.count
            if atSecond >= 20 {
                server.kill(SIGKILL)
                killedAt = "\(atSecond) at the second timer"
                break
            }
        }
        #expect(!killedAt.isEmpty, "the server was killed mid-flight")
        let store = try SQLiteStore(path: db.path)
        let runningAtKill = try await store.countInstances(status: .running)
        #expect(runningAtKill > 0, "instances were still running when the engine was killed (\(killedAt))")

        server = try Server(store: db, definitions: defs)
        let finish = Date().addingTimeInterval(120)
        var remaining = -1
        while Date() < finish {
            remaining = try await store.countInstances(status: .running)
            if remaining == 0 { break }
            try await Task.sleep(nanoseconds: 100_000_000)  // waiting on a separate process's wall clock
        }
        server.kill(SIGTERM)
        #expect(remaining == 0)
        #expect(try await store.countInstances(status: .completed) == total)
        for id in ids {
            let h = try await store.history(instanceId: id)
            let completions = h.filter { $0.event == "completed" }.map(\.elementId)
            #expect(completions == ["start", "wait1", "step", "wait2", "log", "end", "crash-timers"], "instance \(id): \(completions)")
        }
        let logs = try await store.logs(instanceId: nil)
        #expect(logs.count == total, "database_log wrote once per instance")
        #expect(try await store.pendingJobs(limit: 10).isEmpty)
        #expect(try await store.dueTimers(before: Date().addingTimeInterval(3600), limit: 10).isEmpty)
    }
}
