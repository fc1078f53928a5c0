import BPMEngine
import BPMExpressions
import BPMModel
@testable import BPMRuntime
import BPMStore
import Foundation
import Testing

/// `throttle: {excess: queue}`: the starts past the budget are kept per key, bounded, and
/// started in order as the period allows — across a restart — on the production runtime with a
/// manual clock.
@Suite struct ThrottleQueueTests {
    static let source = windowFixture("heatpump-alert-queued")

    func alarm(_ h: Harness, _ device: String, _ value: Double) async throws -> Runtime.EventOutcome {
        try #require(try await h.runtime.publish(event: reading(device, value), topic: "heatpump-alarms").first)
    }

    /// The values of the started instances of a device, in the order they started.
    func started(_ h: Harness, _ device: String) async throws -> [Value] {
        let all = try await h.store.instances(InstanceQuery(definitionId: "heatpump-alert", limit: 100))
        var out: [Value] = []
        for s in all.filter({ $0.correlationKey == device }).sorted(by: { $0.startedAt < $1.startedAt }) {
            out.append(try await h.store.instance(s.id)?.variables["value"] ?? .null)
        }
        return out
    }

    @Test func queuedStartsStartInOrderAsThePeriodAllowsAcrossARestart() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.source, file: "heatpump-alert.yaml")
        #expect(try await alarm(h, "hp-7", 11).action == .started)
        h.clock.advance(by: 60)
        #expect(try await alarm(h, "hp-7", 12).reason == "queued: 1 start per 1h for key 'hp-7' (1 waiting)")
        #expect(try await alarm(h, "hp-7", 13).reason == "queued: 1 start per 1h for key 'hp-7' (2 waiting)")
        #expect(try await alarm(h, "hp-7", 14).reason
            == "throttled: 1 start per 1h for key 'hp-7', queue full (2); 1 dropped")
        #expect(try await alarm(h, "hp-8", 15).action == .started, "each key has its own budget and queue")
        #expect(await h.runtime.stats.throttled == 1)
        #expect(await h.runtime.stats.throttleQueued == 2)
        try await h.runtime.settle()
        #expect(try await started(h, "hp-7") == [11], "nothing is released before the period allows")
        // the queue and its timer are stored: a restart keeps them
        await h.runtime.shutdown()
        h.clock.advance(by: 3540)
        let again = try await Harness(dir: h.dir, clock: h.clock)
        try await again.runtime.settle()
        #expect(try await started(again, "hp-7") == [11, 12])
        #expect(try await alarm(again, "hp-7", 16).reason == "queued: 1 start per 1h for key 'hp-7' (2 waiting)",
                "a new start waits behind the queued one")
        h.clock.advance(by: 1800)
        try await again.runtime.settle()
        #expect(try await started(again, "hp-7") == [11, 12])
        h.clock.advance(by: 1800)
        try await again.runtime.settle()
        #expect(try await started(again, "hp-7") == [11, 12, 13])
        h.clock.advance(by: 3600)
        try await again.runtime.settle()
        #expect(try await started(again, "hp-7") == [11, 12, 13, 16])
        h.clock.advance(by: 3600)
        try await again.runtime.settle()
        #expect(try await started(again, "hp-7") == [11, 12, 13, 16], "the queue is empty: no more timers")
        #expect(try await again.store.nextTimerDue() == nil)
    }

    @Test func dropStaysTheDefault() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        let dropping = Self.source.replacingOccurrences(of: ", excess: queue, queue_limit: 2", with: "")
        try await h.runtime.deploy(source: dropping, file: "heatpump-alert.yaml")
        #expect(try await alarm(h, "hp-7", 11).action == .started)
        #expect(try await alarm(h, "hp-7", 12).reason == "throttled: 1 start per 1h for key 'hp-7' (1 dropped)")
        h.clock.advance(by: 3600)
        try await h.runtime.settle()
        #expect(try await started(h, "hp-7") == [11])
    }
}
