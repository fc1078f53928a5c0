import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMTestSupport
import Foundation
import Testing

/// Two engine processes on one real PostgreSQL, each with its own simulated clock moved in
/// step: every due time of a schedule starts exactly one instance, whichever replica fires it
/// (claims share the work; the unique fire row holds should both start the same due time).
@Suite(.serialized) struct ScheduleReplicaTests {
    static let minutely = """
        id: probe
        trigger:
          type: timer
          every: 1m
          name: minutely
          catch_up: {window: 10m, policy: all}
        activities:
          - {id: note, type: script, set: {seen: true}}
        """

    @Test func twoReplicasOnOnePostgresFireOncePerDueTime() async throws {
        let url = try TestPostgres.server().createDatabase("schedules")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var replicas: [(Runtime, ManualClock)] = []
        for _ in 0..<2 {
            let store = try PostgresStore(url: url, maxConnections: 4)
            store.operationTimeout = 60
            try await store.migrate()
            let clock = ManualClock(start)
            let r = try await quietRuntime(store, clock: clock)
            _ = try await r.deploy(source: Self.minutely, file: "probe.yaml")
            replicas.append((r, clock))
        }
        defer { for (r, _) in replicas { Task { await r.shutdown() } } }
        let store = replicas[0].0.store
        for step in 1...12 {
            // a downtime of both at step 6 (five due times missed): caught up by both at once
            let by: Double = step == 6 ? 300 : 60
            for (_, c) in replicas { c.advance(by: by) }
            let (first, second) = (replicas[0].0, replicas[1].0)
            async let a: Void = first.settle()
            async let b: Void = second.settle()
            _ = try await (a, b)
        }
        let instances = try await store.instances(InstanceQuery(definitionId: "probe", limit: 1000))
        var due: [String] = []
        for s in instances {
            let i = try #require(try await store.instance(s.id))
            due.append(try #require(i.variables["scheduled_at"]?.stringValue))
        }
        #expect(due.count == 16, "due times 1–16 minutes after the start: each once")
        #expect(Set(due).count == due.count, "no due time started twice")
        let expected = (1...16).map { Coding.iso(start + Double($0) * 60) }
        #expect(due.sorted() == expected)
        let last = try await store.lastScheduleFires()["probe:minutely"]
        #expect(last?.dueAt == start + 16 * 60)
    }
}
