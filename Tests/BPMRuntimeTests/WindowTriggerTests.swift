import BPMEngine
import BPMExpressions
import BPMModel
@testable import BPMRuntime
import BPMStore
import Foundation
import Testing

/// A definition in `Tests/Fixtures/windows`.
func windowFixture(_ name: String) -> String {
    let url = repoRoot.appendingPathComponent("Tests/Fixtures/windows/\(name).yaml")
    return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
}

/// Window aggregates in trigger conditions, on the production runtime with a manual clock:
/// per key, fed by every event of the key, passed to the started and the correlated instance,
/// kept across a restart; times from the event's `timestamp` where it has one.
@Suite struct WindowTriggerTests {
    static let source = windowFixture("heatpump-overheat")

    static func telemetry(_ device: String, _ temp: Double, at: Double? = nil) -> Value {
        var e: [String: Value] = ["name": "heatpump", "tags": ["device_id": .string(device)],
                                  "fields": ["flow_temp_c": .number(temp)]]
        if let at { e["timestamp"] = .number(at) }
        return .context(e)
    }

    func send(_ h: Harness, _ device: String, _ temp: Double, at: Double? = nil) async throws -> Runtime.EventOutcome {
        let event = Self.telemetry(device, temp, at: at)
        return try #require(try await h.runtime.publish(event: event, topic: "heatpump-telemetry").first)
    }

    func variables(_ h: Harness, _ o: Runtime.EventOutcome) async throws -> [String: Value] {
        let id = try #require(o.instanceId)
        return try #require(try await h.store.instance(id)).variables
    }

    @Test func theConditionReadsTheKeysWindowsAndTheInstanceGetsThem() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        #expect(try await send(h, "hp-1", 28).reason == "trigger condition is false")
        h.clock.advance(by: 60)
        #expect(try await send(h, "hp-1", 30).action == .ignored, "average 29")
        #expect(try await send(h, "hp-2", 35).action == .started, "each key has its own windows")
        h.clock.advance(by: 60)
        let started = try await send(h, "hp-1", 35)
        #expect(started.action == .started, "average 31")
        let vars = try await variables(h, started)
        #expect(vars["flow_avg_10m"] == 31)
        #expect(vars["readings"] == 3)
        #expect(vars["flow_max_1h"] == 35)
        #expect(vars["rate"] == .number(7.0 / 120))
        // a later event of the key is correlated: the instance sees the windows with it
        h.clock.advance(by: 60)
        let refreshed = try await send(h, "hp-1", 19)
        #expect(refreshed.action == .correlated)
        let after = try await variables(h, refreshed)
        #expect(after["flow_avg_10m"] == 28)
        #expect(after["readings"] == 4)
        // ten minutes on, the first readings have left the sliding window (not the tumbling hour)
        h.clock.advance(by: 9 * 60)
        _ = try await send(h, "hp-1", 20)
        let late = try await variables(h, refreshed)
        #expect(late["readings"] == 2, "19 and 20; 28, 30 and 35 are more than 10m old")
        #expect(late["flow_max_1h"] == 35, "the same hour (the clock starts on one)")
    }

    @Test func windowsSurviveARestart() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        _ = try await send(h, "hp-3", 25)
        _ = try await send(h, "hp-3", 25)
        await h.runtime.shutdown()
        h.clock.advance(by: 120)
        let again = try await Harness(dir: h.dir, clock: h.clock)
        let o = try await send(again, "hp-3", 41)
        #expect(o.action == .started)
        let vars = try await variables(again, o)
        #expect(vars["readings"] == 3, "the two readings before the restart still count")
        #expect(vars["flow_avg_10m"] == .number(91.0 / 3))
    }

    @Test func theEventsTimestampIsTheWindowsTime() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        let t0 = 1_790_000_000.0
        let o = try await send(h, "hp-4", 50, at: t0)
        #expect(o.action == .started)
        // the engine's clock stands still; the event says 700 s later: the first reading is out
        let next = try await send(h, "hp-4", 10, at: t0 + 700)
        let vars = try await variables(h, next)
        #expect(vars["readings"] == 1)
        #expect(vars["flow_avg_10m"] == 10)
        // a reading older than the window is left out
        _ = try await send(h, "hp-4", 90, at: t0 - 3600)
        #expect(try await variables(h, next)["readings"] == 1)
    }

    @Test func aWindowedConditionIsNotABadEventBeforeAnyWindowIsRead() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        let bytes = Array(JSON.encode(Self.telemetry("hp-5", 20)).utf8)
        let registry = await h.runtime.registry
        guard case .success = EventDecoder.decode(bytes, topic: "heatpump-telemetry", registry: registry) else {
            Issue.record("a windowed condition made a good event bad")
            return
        }
    }
}

extension WindowTriggerTests {
    /// The sweep deletes the windows of keys gone quiet, page by page, and keeps the others; a
    /// pruned key starts again from empty windows.
    @Test func theSweepPrunesTheWindowsOfQuietKeysPageByPage() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        for device in ["hp-1", "hp-2", "hp-3"] { _ = try await send(h, device, 25) }
        #expect(try await h.runtime.pruneWindows(limit: 2) == 0, "nothing is quiet yet")
        h.clock.advance(by: 3600)  // the longest window is an hour
        _ = try await send(h, "hp-2", 26)
        func stored(_ device: String) async throws -> Bool {
            try await h.store.eventWindow(definitionId: "window:heatpump-overheat", key: device) != nil
        }
        #expect(try await h.runtime.pruneWindows(limit: 2) == 1, "the rest of the round: hp-3, quiet")
        #expect(try await h.runtime.pruneWindows(limit: 2) == 1, "from the first key: hp-1 is quiet, hp-2 was fed")
        try await h.runtime.settle()
        #expect(try await stored("hp-1") == false)
        #expect(try await stored("hp-2"))
        #expect(try await stored("hp-3") == false)
        h.clock.advance(by: 60)
        #expect(try await send(h, "hp-1", 35).action == .started, "from empty windows: the average is 35")
    }

    /// The timer loop's chore runs the sweep on its own.
    @Test func theTimerLoopSweepsQuietKeys() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "overheat.yaml")
        _ = try await send(h, "hp-1", 25)
        try await h.runtime.settle()
        h.clock.advance(by: 3600)
        try await h.runtime.settle()
        #expect(try await h.store.eventWindow(definitionId: "window:heatpump-overheat", key: "hp-1") == nil)
    }
}
