import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// Silence and debounce triggers on both stores, on a manual clock: a key gone quiet starts one
/// instance with its last event's variables; its row is written coarsely; after a restart the
/// stored keys fire never early, at most the slack late, and never twice.
@Suite struct SilenceStoreTests {
    static let heartbeat = """
    id: heartbeat-lost
    trigger:
      topic: heartbeats
      condition: status != "off"
      silence: {after: 5m}
    variables:
      - {name: device_id, source: device_id}
      - {name: battery, source: battery}
    correlation_key: device_id
    activities:
      - {id: page, type: user, name: "Check ${device_id}"}
    """

    static func beat(_ device: String, battery: Double, status: String = "ok") -> Value {
        ["device_id": .string(device), "battery": .number(battery), "status": .string(status)]
    }

    func started(_ store: any ProcessStore) async throws -> [InstanceSummary] {
        try await store.instances(InstanceQuery(definitionId: "heartbeat-lost", limit: 100))
    }

    func battery(_ store: any ProcessStore, _ id: String?) async throws -> Value? {
        guard let id else { return nil }
        return try await store.instance(id)?.variables["battery"]
    }

    func publish(_ r: Runtime, _ device: String, _ battery: Double, status: String = "ok") async throws
        -> [Runtime.EventOutcome]
    {
        try await r.publish(event: Self.beat(device, battery: battery, status: status), topic: "heartbeats")
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aQuietKeyStartsOneInstanceWithItsLastEvent(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "silence")
        defer { cleanup() }
        let clock = ManualClock()
        let r = try await quietRuntime(store, clock: clock)
        _ = try await r.deploy(source: Self.heartbeat, file: "heartbeat.yaml")
        let armed = try await publish(r, "hp-1", 90)
        #expect(armed.first?.reason == "silence armed: fires after 5m without an event for key 'hp-1'")
        clock.advance(by: 200)
        _ = try await publish(r, "hp-1", 80)
        _ = try await publish(r, "hp-2", 70, status: "off")  // does not match: never armed
        clock.advance(by: 299)
        try await r.settle()
        #expect(try await started(store).isEmpty, "499 s after the first beat, 299 s after the last")
        clock.advance(by: 1)
        try await r.settle()
        let first = try await started(store)
        #expect(first.count == 1)
        #expect(first.first?.correlationKey == "hp-1")
        #expect(try await battery(store, first.first?.id) == .number(80), "the last event's variables")
        clock.advance(by: 3600)
        try await r.settle()
        #expect(try await started(store).count == 1, "fired once: the next event arms it again")
        let rows = try await store.eventWindows(definitionId: "silence:heartbeat-lost")
        #expect(rows.isEmpty, "its row went with the start")
        await r.shutdown()
    }

    @Test(arguments: ["sqlite", "postgres"])
    func storedKeysFireAfterARestartNeverEarlyNorTwice(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "silence_restart")
        defer { cleanup() }
        let clock = ManualClock()
        let t0 = clock.now()
        var writes = 0
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.heartbeat, file: "heartbeat.yaml")
        let counter = WriteCounter()
        await first.observeCommits { c in
            counter.add(c.windows.filter { $0.definitionId.hasPrefix("silence:") }.count)
        }
        // ten beats a second for a minute: one row write per 30 s (the slack), not 600
        for i in 0..<600 {
            clock.set(t0.addingTimeInterval(Double(i) / 10))
            _ = try await publish(first, "hp-1", 100 - Double(i) / 10)
        }
        writes = counter.total
        #expect(writes == 2, "t = 0 s and t = 30 s")
        // a crash (no clean stop: nothing more is written), down for a minute; the last beat was
        // at 59.9 s, the stored one at 30 s
        clock.set(t0.addingTimeInterval(120))
        let second = try await quietRuntime(store, clock: clock)
        clock.set(t0.addingTimeInterval(359.8))
        try await second.settle()
        #expect(try await started(store).isEmpty, "never before the true last beat + 5 m")
        clock.set(t0.addingTimeInterval(360))  // stored 30 s + slack 30 s + 5 m
        try await second.settle()
        #expect(try await started(store).count == 1, "at most the slack late")
        await second.shutdown()
        let third = try await quietRuntime(store, clock: clock)
        clock.advance(by: 3600)
        try await third.settle()
        #expect(try await started(store).count == 1, "a silence that fired and was written does not fire again")
        await third.shutdown()
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aKeyOverdueDuringADowntimeWaitsForTheReplay(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "silence_grace")
        defer { cleanup() }
        let clock = ManualClock()
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.heartbeat, file: "heartbeat.yaml")
        for d in ["hp-1", "hp-2"] { _ = try await publish(first, d, 50) }
        await first.shutdown()
        clock.advance(by: 3600)
        let second = try await quietRuntime(store, clock: clock)
        try await second.settle()
        #expect(try await started(store).isEmpty, "within the grace the intake replays what came meanwhile")
        _ = try await publish(second, "hp-2", 49)  // replayed: hp-2 spoke during the downtime
        clock.advance(by: 10)
        try await second.settle()
        #expect(try await started(store).map { $0.correlationKey } == ["hp-1"])
        await second.shutdown()
    }

    @Test(arguments: ["sqlite"])
    func debounceStartsAfterTheBurstAndCorrelatesARunningInstance(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "debounce")
        defer { cleanup() }
        let clock = ManualClock()
        let r = try await quietRuntime(store, clock: clock)
        let debounced = Self.heartbeat.replacingOccurrences(of: "silence: {after: 5m}", with: "debounce: 30s")
        _ = try await r.deploy(source: debounced,
                               file: "heartbeat.yaml")
        for i in 0..<5 {
            _ = try await publish(r, "hp-1", Double(i))
            clock.advance(by: 20)
        }
        try await r.settle()
        #expect(try await started(store).isEmpty, "still bursting: 20 s between events")
        clock.advance(by: 10)
        try await r.settle()
        let one = try await started(store)
        #expect(one.count == 1)
        #expect(try await battery(store, one.first?.id) == .number(4), "with the burst's last event")
        _ = try await publish(r, "hp-1", 42)
        clock.advance(by: 30)
        try await r.settle()
        let still = try await started(store)
        #expect(still.count == 1, "the instance for the key still runs: the next burst is correlated to it")
        #expect(try await battery(store, still.first?.id) == .number(42))
        await r.shutdown()
    }

    @Test(arguments: ["sqlite"])
    func aSilenceWithAMessageReachesTheInstanceWaitingForIt(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "silence_message")
        defer { cleanup() }
        let clock = ManualClock()
        let r = try await quietRuntime(store, clock: clock)
        let watcher = Self.heartbeat.replacingOccurrences(of: "silence: {after: 5m}",
                                                          with: "silence: {after: 5m, message: device-silent}")
        _ = try await r.deploy(source: watcher, file: "heartbeat.yaml")
        _ = try await r.deploy(source: """
        id: commissioning
        variables:
          - {name: device_id, value: hp-1}
        correlation_key: device_id
        activities:
          - {id: wait_silent, type: receive, message: device-silent, correlation_key: device_id}
          - {id: noted, type: script, set: {went_silent: true}}
        """, file: "commissioning.yaml")
        let waiting = try await r.startInstance("commissioning", variables: ["device_id": "hp-1"])
        _ = try await publish(r, "hp-1", 33)
        clock.advance(by: 300)
        try await r.settle()
        let done = try #require(try await store.instance(waiting.id))
        #expect(done.status == .completed, "the published message moved the waiting instance on")
        #expect(done.variables["battery"] == .number(33), "with the last event's variables")
        #expect(try await started(store).isEmpty, "a silence with a message starts nothing itself")
        await r.shutdown()
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aCleanStopWritesTheLastEventsSoTheRestartIsExact(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "silence_stop")
        defer { cleanup() }
        let clock = ManualClock()
        let t0 = clock.now()
        let first = try await quietRuntime(store, clock: clock)
        _ = try await first.deploy(source: Self.heartbeat, file: "heartbeat.yaml")
        _ = try await publish(first, "hp-1", 90)
        clock.set(t0.addingTimeInterval(20))
        _ = try await publish(first, "hp-1", 80)  // within the slack: not written yet
        await first.shutdown()
        let rows = try await store.eventWindows(definitionId: "silence:heartbeat-lost")
        #expect(rows.first?.state[member: "seen"] == .number(t0.timeIntervalSince1970 + 20))
        clock.set(t0.addingTimeInterval(40))
        let second = try await quietRuntime(store, clock: clock)
        clock.set(t0.addingTimeInterval(319.9))
        try await second.settle()
        #expect(try await started(store).isEmpty)
        clock.set(t0.addingTimeInterval(320))
        try await second.settle()
        let fired = try await started(store)
        #expect(fired.count == 1, "exactly 5 m after the last beat")
        #expect(try await battery(store, fired.first?.id) == .number(80))
        await second.shutdown()
    }
}

/// Counts rows written, from commit observers.
final class WriteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.withLock { n += k } }
    var total: Int { lock.withLock { n } }
}
