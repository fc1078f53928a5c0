import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMTestSupport
import Foundation
import Logging
import Testing

/// Window aggregates and the queued throttle on both stores: their state is stored with the
/// batch and read back after a restart; on one PostgreSQL two replicas start each queued start
/// exactly once.
@Suite struct WindowStoreTests {
    static let windowed = windowFixture("heatpump-overheat")

    static let queued = windowFixture("heatpump-alert-queued")

    static func telemetry(_ device: String, _ temp: Double) -> Value {
        ["tags": ["device_id": .string(device)], "fields": ["flow_temp_c": .number(temp)]]
    }

    static func alarm(_ device: String, _ value: Double) -> Value {
        ["device": .string(device), "value": .number(value)]
    }

    func replica(_ store: any ProcessStore, _ clock: ManualClock, owner: String) async throws -> Runtime {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let r = Runtime(store: store, clock: clock, connectors: ConnectorRegistry(fallback: RecordingConnector()),
                        logger: logger, owner: owner)
        try await r.start(timerLoop: false)
        return r
    }

    func values(_ store: any ProcessStore) async throws -> [Value] {
        var out: [Value] = []
        let all = try await store.instances(InstanceQuery(definitionId: "heatpump-alert", limit: 100))
        for s in all.sorted(by: { $0.startedAt < $1.startedAt }) {
            out.append(try await store.instance(s.id)?.variables["value"] ?? .null)
        }
        return out
    }

    @Test(arguments: ["sqlite", "postgres"]) func windowStateSurvivesARestart(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "windows")
        defer { cleanup() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.windowed, file: "overheat.yaml")
        for t in [25.0, 25] {
            _ = try await first.publish(event: Self.telemetry("hp-1", t), topic: "heatpump-telemetry")
        }
        await first.shutdown()
        clock.advance(by: 60)
        let second = try await quietRuntime(store, clock: clock)
        let outcomes = try await second.publish(event: Self.telemetry("hp-1", 41), topic: "heatpump-telemetry")
        let o = try #require(outcomes.first)
        #expect(o.action == .started)
        let id = try #require(o.instanceId)
        let vars = try #require(try await store.instance(id)).variables
        #expect(vars["readings"] == 3)
        #expect(vars["flow_avg_10m"] == .number(91.0 / 3))
        await second.shutdown()
    }

    @Test(arguments: ["sqlite", "postgres"]) func queuedStartsSurviveARestart(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "throttlequeue")
        defer { cleanup() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.queued, file: "alert.yaml")
        for v in [11.0, 12, 13] { _ = try await first.publish(event: Self.alarm("hp-7", v), topic: "heatpump-alarms") }
        await first.shutdown()
        clock.advance(by: 3600)
        let second = try await quietRuntime(store, clock: clock)
        try await second.settle()
        #expect(try await values(store) == [11, 12])
        clock.advance(by: 3600)
        try await second.settle()
        #expect(try await values(store) == [11, 12, 13])
        await second.shutdown()
    }

    /// Two replicas fed the same key at once, and both firing the release timers: one start per
    /// period, every queued one once, the one past the queue dropped.
    @Test func twoReplicasStartEachQueuedStartOnce() async throws {
        let (store, cleanup) = try await migratedStore("postgres", database: "throttlereplicas")
        defer { cleanup() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let a = try await replica(store, clock, owner: "replica-a")
        _ = try await a.deploy(source: Self.queued, file: "alert.yaml")
        let b = try await replica(store, clock, owner: "replica-b")
        async let fromA = a.publish(event: Self.alarm("hp-7", 11), topic: "heatpump-alarms")
        async let fromB = b.publish(event: Self.alarm("hp-7", 12), topic: "heatpump-alarms")
        _ = try await (fromA, fromB)
        async let moreA = a.publish(event: Self.alarm("hp-7", 13), topic: "heatpump-alarms")
        async let moreB = b.publish(event: Self.alarm("hp-7", 14), topic: "heatpump-alarms")
        _ = try await (moreA, moreB)
        #expect(try await values(store).count == 1)
        for hour in 1...3 {
            clock.advance(by: 3600)
            async let settleA: Void = a.settle()
            async let settleB: Void = b.settle()
            _ = try await (settleA, settleB)
            #expect(try await values(store).count == min(1 + hour, 3), "hour \(hour)")
        }
        let stats = (await a.stats.throttled) + (await b.stats.throttled)
        #expect(stats == 1, "one start past the queue of two")
        await a.shutdown()
        await b.shutdown()
    }
}

extension WindowStoreTests {
    /// The sweep of quiet keys on both stores: through the timer loop, a key silent for the
    /// longest window loses its row; one fed meanwhile keeps it — on PostgreSQL also when two
    /// replicas sweep at once.
    @Test(arguments: ["sqlite", "postgres"]) func quietKeysLoseTheirWindowRows(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "windowprune")
        defer { cleanup() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let a = try await replica(store, clock, owner: "replica-a")
        _ = try await a.deploy(source: Self.windowed, file: "overheat.yaml")
        let b = kind == "postgres" ? try await replica(store, clock, owner: "replica-b") : nil
        for device in ["hp-1", "hp-2"] {
            _ = try await a.publish(event: Self.telemetry(device, 25), topic: "heatpump-telemetry")
        }
        try await a.settle()
        clock.advance(by: 3600)
        _ = try await a.publish(event: Self.telemetry("hp-2", 26), topic: "heatpump-telemetry")
        async let sweepA: Void = a.settle()
        async let sweepB: Void? = b?.settle()
        _ = try await (sweepA, sweepB)
        #expect(try await store.eventWindow(definitionId: "window:heatpump-overheat", key: "hp-1") == nil)
        let kept = try await store.eventWindow(definitionId: "window:heatpump-overheat", key: "hp-2")
        #expect(kept?[member: "readings"] != nil, "the key fed within the hour keeps its windows")
        #expect(try await store.eventWindows(definitionId: "window:heatpump-overheat", after: nil, limit: 10).map(\.key)
            == ["hp-2"])
        await a.shutdown()
        await b?.shutdown()
    }
}
