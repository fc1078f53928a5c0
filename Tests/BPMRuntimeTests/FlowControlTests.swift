import BPMEngine
import BPMExpressions
import BPMModel
@testable import BPMRuntime
import BPMStore
@testable import BPMStoreSQLite
import Foundation
import Testing

/// Per-key flow control: a trigger's `throttle:`, a definition's `unique:` business keys and
/// idempotent API starts — on the production runtime with a manual clock, across restarts.
@Suite struct FlowControlTests {
    func deployThrottled(_ h: Harness) async throws {
        try await h.runtime.deploy(source: """
        id: heatpump-alert
        trigger:
          type: event
          topic: heatpump-alarms
          condition: value > 10
          throttle: {starts: 2, per: 1h}
        variables:
          - {name: device, source: device}
          - {name: value, source: value}
        activities:
          - {id: note, type: script, set: {alerted: true}}
        """, file: "heatpump-alert.yaml")
    }

    func deployUnique(_ h: Harness, _ policy: String) async throws {
        try await h.runtime.deploy(source: """
        id: service-visit
        trigger:
          type: manual
          unique: \(policy)
        activities:
          - {id: visit, type: user, name: Visit the heat pump}
        """, file: "service-visit.yaml")
    }

    func alarm(_ h: Harness, _ device: String) async throws -> Runtime.EventOutcome {
        try #require(try await h.runtime.publish(event: reading(device, 20), topic: "heatpump-alarms").first)
    }

    @Test func throttleLetsNStartsPerKeyAndPeriodAndCountsTheRest() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployThrottled(h)
        #expect(try await alarm(h, "hp-7").action == .started)
        h.clock.advance(by: 600)
        #expect(try await alarm(h, "hp-7").action == .started)
        h.clock.advance(by: 600)
        #expect(try await alarm(h, "hp-7").reason == "throttled: 2 starts per 1h for key 'hp-7' (1 dropped)")
        #expect(try await alarm(h, "hp-7").reason == "throttled: 2 starts per 1h for key 'hp-7' (2 dropped)")
        #expect(try await alarm(h, "hp-8").action == .started, "each key has its own budget")
        #expect(await h.runtime.stats.throttled == 2)
        // the first start is an hour old: one start is free again, and the budget survives a restart
        await h.runtime.shutdown()
        h.clock.advance(by: 2400)
        let again = try await Harness(dir: h.dir, clock: h.clock)
        #expect(try await alarm(again, "hp-7").action == .started)
        #expect(try await alarm(again, "hp-7").reason == "throttled: 2 starts per 1h for key 'hp-7' (3 dropped)")
        let started = try await again.store.instances(InstanceQuery(definitionId: "heatpump-alert", limit: 100))
        #expect(started.count == 4)
    }

    @Test func uniqueRefuseNamesTheRunningInstanceUntilItEnds() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployUnique(h, "refuse")
        guard case .started(let first) = try await h.runtime.start(.init(definitionId: "service-visit", businessKey: "hp-7")) else {
            Issue.record("first start did not start")
            return
        }
        await #expect(throws: Runtime.RuntimeError.alreadyRunning(definitionId: "service-visit", businessKey: "hp-7", instanceId: first.id)) {
            _ = try await h.runtime.start(.init(definitionId: "service-visit", businessKey: "hp-7"))
        }
        guard case .started = try await h.runtime.start(.init(definitionId: "service-visit", businessKey: "hp-8")) else {
            Issue.record("another key did not start")
            return
        }
        _ = try await h.runtime.send(.cancel(reason: "done"), to: first.id)
        guard case .started(let second) = try await h.runtime.start(.init(definitionId: "service-visit", businessKey: "hp-7")) else {
            Issue.record("the key was not free after the instance ended")
            return
        }
        #expect(second.id != first.id)
    }

    @Test func uniqueCorrelateGivesTheRunningInstanceTheStartsVariables() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployUnique(h, "correlate")
        let first = try await h.runtime.startInstance("service-visit", variables: ["reason": "noise"], businessKey: "hp-7")
        let outcome = try await h.runtime.start(.init(definitionId: "service-visit", variables: ["reason": "leak"], businessKey: "hp-7"))
        guard case .correlated(let s) = outcome else {
            Issue.record("expected the running instance, got \(outcome)")
            return
        }
        #expect(s.id == first.id)
        #expect(s.variables["reason"] == "leak")
        #expect(try await h.store.instances(InstanceQuery(definitionId: "service-visit", limit: 10)).count == 1)
    }

    @Test func theStoreRefusesASecondRunningInstanceForAUniqueKey() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployUnique(h, "refuse")
        let first = try await h.runtime.startInstance("service-visit", businessKey: "hp-7")
        // a writer that did not see the first (another replica) is stopped by the unique index
        var copy = first
        copy.id = "other-replica-instance"
        var batch = CommitBatch()
        batch.instances = [InstanceWrite(state: copy, expectedRevision: nil, uniqueKey: "hp-7")]
        await #expect(throws: StoreError.self) { try await h.store.commit(batch) }
        copy.id = "not-unique-instance"
        batch.instances = [InstanceWrite(state: copy, expectedRevision: nil)]
        try await h.store.commit(batch)
    }

    @Test func anIdempotencyKeyAnswersTheFirstStartAgainAcrossRestarts() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployUnique(h, "refuse")
        let request = Runtime.StartRequest(definitionId: "service-visit", businessKey: "hp-7", idempotencyKey: "visit-hp-7-2026-12-03") {
            "{\"id\": \"\($0.id)\", \"status\": \"\($0.status.rawValue)\"}"
        }
        guard case .started(let first) = try await h.runtime.start(request) else {
            Issue.record("first start did not start")
            return
        }
        guard case .replayed(let again) = try await h.runtime.start(request) else {
            Issue.record("the same key started again")
            return
        }
        #expect(again.instanceId == first.id)
        #expect(again.status == 201)
        #expect(again.response == "{\"id\": \"\(first.id)\", \"status\": \"running\"}")
        _ = try await h.runtime.send(.cancel(reason: "done"), to: first.id)
        await h.runtime.shutdown()
        let restarted = try await Harness(dir: h.dir, clock: h.clock)
        guard case .replayed(let after) = try await restarted.runtime.start(request) else {
            Issue.record("the key was forgotten in a restart")
            return
        }
        #expect(after == again, "the first answer, though the instance has ended since")
        var other = request
        other.definitionId = "heatpump-alert"
        try await deployThrottled(restarted)
        await #expect(throws: Runtime.RuntimeError.idempotencyKeyReused(key: request.idempotencyKey!, definitionId: "service-visit")) {
            _ = try await restarted.runtime.start(other)
        }
    }
}
