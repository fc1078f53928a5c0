import BPMEngine
import BPMExpressions
import BPMModel
@testable import BPMRuntime
import BPMStore
@testable import BPMStoreSQLite
import Foundation
import GRDB
import Testing

/// Hands items to the runtime as a consumer does and waits for their outcomes.
func ingest(_ runtime: Runtime, _ items: [IntakeItem]) async -> [Result<[Runtime.EventOutcome], any Error>] {
    await withCheckedContinuation { c in
        Task { await runtime.ingest(items) { c.resume(returning: $0) } }
    }
}

/// Waits until concurrent work (the runtime's drain, a store's writer) has made `check` hold —
/// nothing here waits on engine time, which the tests' clock drives.
func until(_ what: String, _ check: () async -> Bool) async throws {
    let deadline = Date().addingTimeInterval(20)
    while !(await check()) {
        guard Date() < deadline else { throw RuntimeTestFailure("timed out waiting until \(what)") }
        try await Task.sleep(nanoseconds: 1_000_000)
    }
}

struct RuntimeTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func reading(_ device: String, _ value: Double) -> Value { ["device": .string(device), "value": .number(value)] }

/// Trigger patterns (for / count within / cooldown), messages taken from topics, consumed
/// positions stored with their effects, lifecycle events in the outbox, and event decoding.
@Suite struct EventIntakeTests {
    static let patternHeader = """
    variables:
      - {name: device, source: device}
      - {name: value, source: value}
    correlation_key: device
    """

    func deployPattern(_ h: Harness, _ id: String, _ pattern: String, activities: String = "  - {id: note, type: script, set: {seen: true}}") async throws {
        try await h.runtime.deploy(source: """
        id: \(id)
        trigger:
          type: event
          topic: readings
          condition: value > 10
        \(pattern.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        \(Self.patternHeader)
        activities:
        \(activities)
        """, file: "\(id).yaml")
    }

    func send(_ h: Harness, _ device: String, _ value: Double) async throws -> Runtime.EventOutcome {
        try #require(try await h.runtime.publish(event: reading(device, value), topic: "readings").first)
    }

    @Test func forStartsOnlyOnceTheConditionHeldLongEnoughPerKey() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "hold", "for: 5m")
        #expect(try await send(h, "a", 12).reason == "the condition must hold for 5m; it holds from now")
        h.clock.advance(by: 120)
        #expect(try await send(h, "a", 13).reason == "the condition has held for 2m of 5m")
        #expect(try await send(h, "b", 13).reason == "the condition must hold for 5m; it holds from now", "each key has its own window")
        h.clock.advance(by: 60)
        #expect(try await send(h, "a", 5).reason == "trigger condition is false", "a false reading breaks the run")
        h.clock.advance(by: 60)
        #expect(try await send(h, "a", 14).reason == "the condition must hold for 5m; it holds from now")
        h.clock.advance(by: 299)
        #expect(try await send(h, "a", 14).action == .ignored)
        h.clock.advance(by: 1)
        let started = try await send(h, "a", 15)
        #expect(started.action == .started)
        #expect(try await send(h, "b", 15).action == .started, "b held since 6 minutes ago")
    }

    @Test func countNeedsThatManyMatchesWithinTheWindow() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "burst", "count: 3\nwithin: 10m")
        #expect(try await send(h, "a", 20).reason == "1 of 3 matches within 10m")
        h.clock.advance(by: 240)
        #expect(try await send(h, "a", 20).reason == "2 of 3 matches within 10m")
        h.clock.advance(by: 420)  // the first match is now 11 minutes old
        #expect(try await send(h, "a", 20).reason == "2 of 3 matches within 10m")
        h.clock.advance(by: 60)
        #expect(try await send(h, "a", 1).reason == "trigger condition is false", "a false reading is not a match and keeps the window")
        #expect(try await send(h, "a", 20).action == .started)
    }

    @Test func cooldownHoldsBackANewInstanceAfterTheLastEnded() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "calm", "cooldown: 10m")
        let first = try await send(h, "a", 20)
        #expect(first.action == .started)
        try await h.runtime.settle()
        #expect(try await h.store.instance(first.instanceId!)?.status == .completed)
        h.clock.advance(by: 300)
        #expect(try await send(h, "a", 20).reason == "cooling down for key 'a' for 5m more")
        #expect(try await send(h, "b", 20).action == .started, "other keys are not held back")
        h.clock.advance(by: 300)
        #expect(try await send(h, "a", 20).action == .started)
    }

    @Test func windowsSurviveARestart() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "hold", "for: 5m")
        _ = try await send(h, "a", 12)
        await h.runtime.shutdown()
        h.clock.advance(by: 360)
        let again = try await Harness(dir: h.dir, clock: h.clock)
        #expect(try await send(again, "a", 12).action == .started, "the window opened before the restart counts")
    }

    @Test func receiveTasksTakeEventsFromATopicAndBufferEarlyOnes() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: """
        id: onboarding-ack
        activities:
          - id: wait_ack
            type: receive
            message: device-ack
            topic: device-acks
            key_path: tags.device_id
            correlation_key: device
            ttl: 1m
          - {id: done, type: script, set: {acked: fields.status}}
        """, file: "ack.yaml")
        let waiting = try await h.runtime.startInstance("onboarding-ack", variables: ["device": "d1"])
        let ack: Value = ["tags": ["device_id": "d1"], "fields": ["status": "ok"]]
        let out = try await h.runtime.publish(event: ack, topic: "device-acks")
        #expect(out == [Runtime.EventOutcome(definitionId: "onboarding-ack", action: .correlated, instanceId: waiting.id, correlationKey: "d1")])
        try await h.runtime.settle()
        let done = try #require(try await h.store.instance(waiting.id))
        #expect(done.status == .completed)
        #expect(done.variables["acked"] == "ok")

        // an acknowledgement that arrives first waits up to its time-to-live
        let early = try await h.runtime.publish(event: ["tags": ["device_id": "d2"], "fields": ["status": "late"]], topic: "device-acks")
        #expect(early.map(\.action) == [.buffered])
        let second = try await h.runtime.startInstance("onboarding-ack", variables: ["device": "d2"])
        try await h.runtime.settle()
        #expect(try await h.store.instance(second.id)?.status == .completed)
        // past its time-to-live it is gone
        _ = try await h.runtime.publish(event: ["tags": ["device_id": "d3"], "fields": ["status": "x"]], topic: "device-acks")
        h.clock.advance(by: 61)
        let third = try await h.runtime.startInstance("onboarding-ack", variables: ["device": "d3"])
        try await h.runtime.settle()
        #expect(try await h.store.instance(third.id)?.status == .running)
    }

    @Test func instancesOfReplacedOrRetiredVersionsStillTakeTheirMessagesFromTopics() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        let v1 = """
        id: acked
        activities:
          - {id: wait_ack, type: receive, message: ack, topic: acks, key_path: device, correlation_key: device}
          - {id: done, type: script, set: {ok: true}}
        """
        try await h.runtime.deploy(source: v1, file: "acked.yaml")
        let first = try await h.runtime.startInstance("acked", variables: ["device": "d1"])
        let second = try await h.runtime.startInstance("acked", variables: ["device": "d2"])
        // version 2 no longer waits for the message; v1's instances still do
        try await h.runtime.deploy(source: "id: acked\nactivities:\n  - {id: done, type: script, set: {ok: true}}\n", file: "acked.yaml")
        let out = try await h.runtime.publish(event: ["device": "d1"], topic: "acks")
        #expect(out.map(\.action) == [.correlated] && out.first?.instanceId == first.id)
        // retired for new instances: the running one still gets its message
        try await h.runtime.retire("acked")
        #expect(try await h.runtime.publish(event: ["device": "d2"], topic: "acks").first?.instanceId == second.id)
        try await h.runtime.settle()
        #expect(try await h.store.instance(first.id)?.status == .completed)
        #expect(try await h.store.instance(second.id)?.status == .completed)
    }

    /// Consumed events reach, of the definitions guarded by `site = literal`, only the one their
    /// site names — and still every definition with a key (its running instance is refreshed
    /// even when the condition is false) and every definition without such a guard.
    @Test func consumedEventsReachTheDefinitionsTheirGuardedValueNames() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        for i in 0..<6 {
            try await h.runtime.deploy(source: """
            id: site\(i)
            trigger: {type: event, topic: plant, condition: site = "s\(i)" and t > 25}
            activities:
              - {id: note, type: script, set: {hot: true}}
            """, file: "site\(i).yaml")
        }
        try await h.runtime.deploy(source: """
        id: keyed
        trigger: {type: event, topic: plant, condition: site = "s1" and t > 25}
        correlation_key: device
        variables:
          - {name: t, source: t}
        activities:
          - {id: wait, type: timer, duration: PT1H}
        """, file: "keyed.yaml")
        try await h.runtime.deploy(source: """
        id: anysite
        trigger: {type: event, topic: plant, condition: t > 40}
        activities:
          - {id: note, type: script, set: {hot: true}}
        """, file: "anysite.yaml")
        func event(_ site: String, _ t: Double, device: String = "d1") -> IntakeItem {
            .event(IntakeEvent(value: ["site": .string(site), "t": .number(t), "device": .string(device)], topic: "plant"))
        }
        let out = await ingest(h.runtime, [event("s3", 30), event("s1", 50), event("s9", 30, device: "d2"), event("s1", 20), event("s4", 10, device: "d2"),
                                           event("s4", 10)])
        let actions = try out.map { Set(try $0.get().map { "\($0.definitionId):\($0.action.rawValue)" }) }
        #expect(actions == [["site3:started"], ["site1:started", "keyed:started", "anysite:started"], [], ["keyed:correlated"], [], ["keyed:correlated"]])
        let running = try await h.store.instances(InstanceQuery(definitionId: "keyed"))
        #expect(running.count == 1)
        #expect(try await h.store.instance(running[0].id)?.variables["t"] == .number(10))
    }

    /// Events for a few keys handed over all at once land in batches applied while earlier ones
    /// are still being written: each key still gets one instance, and every later event of it
    /// refreshes that instance.
    @Test func eventsOfOneKeyInPipelinedBatchesStartOneInstance() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "each", "", activities: "  - {id: wait, type: timer, duration: PT1H}")
        let outcomes = await withTaskGroup(of: [Result<[Runtime.EventOutcome], any Error>].self) { group in
            for i in 0..<500 {
                group.addTask { await ingest(h.runtime, [.event(IntakeEvent(value: reading("d\(i % 20)", 20), topic: "readings"))]) }
            }
            var all: [Runtime.EventOutcome] = []
            for await r in group { for o in r { all += (try? o.get()) ?? [] } }
            return all
        }
        #expect(outcomes.filter { $0.action == .started }.count == 20)
        #expect(outcomes.filter { $0.action == .correlated }.count == 480)
        #expect(try await h.store.countInstances(status: .running) == 20)
        #expect(await h.runtime.stats.batches > 1)
    }

    /// An event applied while the batch that started its key's instance is still being
    /// written correlates to that instance (the up-front read takes the claim from the batch in
    /// flight). If that write then fails, the instance never existed: the event finds the key
    /// free and starts the instance itself, and nothing of the failed batch is kept.
    @Test(.timeLimit(.minutes(1))) func anEventBuiltOnAFailedWriteStartsItsInstanceItself() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "each", "", activities: "  - {id: wait, type: timer, duration: PT1H}")
        // the store refuses an instance whose reading is 66 (a real failure, from a trigger)
        try await h.store.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poisoned BEFORE INSERT ON process_instances WHEN NEW.variables LIKE '%66%'
                BEGIN SELECT RAISE(ABORT, 'poisoned reading'); END
                """)
        }
        // another connection holds the write lock, so the first batch waits to be written
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: h.store.path, configuration: config)
        try blocker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let first = Task { await ingest(h.runtime, [.event(IntakeEvent(value: reading("k", 66), topic: "readings"))]) }
        try await until("the first batch is being written") { await !h.runtime.keysInFlight.isEmpty }
        let second = Task { await ingest(h.runtime, [.event(IntakeEvent(value: reading("k", 20), topic: "readings"))]) }
        try await until("the second batch took the key from the first") { await h.runtime.stats.keysSeenInFlight >= 1 }
        try blocker.inDatabase { try $0.execute(sql: "COMMIT") }

        let failed = await first.value
        #expect(failed.count == 1)
        #expect(throws: (any Error).self) { try failed[0].get() }
        let outcomes = try #require(try await second.value.first?.get())
        #expect(outcomes.map(\.action) == [.started])
        #expect(await h.runtime.stats.keysFoundReleased == 1)
        let running = try await h.store.instances(InstanceQuery(status: .running))
        #expect(running.count == 1)
        #expect(running.first?.id == outcomes.first?.instanceId)
        #expect(try await h.store.instance(try #require(running.first?.id))?.variables["value"] == .number(20))
    }

    @Test func consumedPositionsAreCommittedWithTheirEffectsAndNeverRepeated() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await deployPattern(h, "each", "")
        func at(_ p: Int32, _ o: Int64, after e: Int64?) -> ConsumedOffset { ConsumedOffset(group: "g", topic: "readings", partition: p, offset: o, expected: e) }
        func event(_ d: String, _ o: ConsumedOffset) -> IntakeItem { .event(IntakeEvent(value: reading(d, 20), topic: "readings", offset: o)) }

        let first = await ingest(h.runtime, [event("a", at(0, 0, after: nil)), .consumed(at(0, 1, after: 1)), event("b", at(0, 2, after: 2)), event("c", at(1, 7, after: nil))])
        #expect(first.allSatisfy { if case .success = $0 { true } else { false } })
        #expect(try await h.store.consumerOffsets(group: "g").sorted { $0.partition < $1.partition }
            == [StoredOffset(topic: "readings", partition: 0, next: 3), StoredOffset(topic: "readings", partition: 1, next: 8)])
        #expect(try await h.store.countInstances(status: nil) == 3)

        // the same records again (a consumer that did not see the commit): refused, nothing applied;
        // a record that follows the stored position of another partition still goes through
        let again = await ingest(h.runtime, [event("a", at(0, 0, after: nil)), event("d", at(1, 8, after: 8))])
        guard case .failure(StoreError.offsetConflict(let topic, let partition)) = again[0] else {
            Issue.record("a repeated record must be refused: \(again[0])")
            return
        }
        #expect(topic == "readings" && partition == 0)
        #expect(try again[1].get().map(\.action) == [.started])
        #expect(try await h.store.countInstances(status: nil) == 4)
        // a gap (a record after one that was never committed) is refused too
        let gap = await ingest(h.runtime, [event("e", at(0, 5, after: 5))])
        #expect(throws: StoreError.self) { try gap[0].get() }
        #expect(try await h.store.countInstances(status: nil) == 4)
    }

    @Test func lifecycleEventsAreWrittenToTheOutboxInTheSameCommit() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        await h.runtime.configure(lifecycleTopic: "bpm-lifecycle")
        try await h.runtime.deploy(source: """
        id: approve
        activities:
          - {id: review, type: user, assignee: ann}
        """, file: "approve.yaml")
        let s = try await h.runtime.startInstance("approve")
        let task = try #require(try await h.store.userTasks(TaskQuery(instanceId: s.id)).first)
        _ = try await h.runtime.completeTask(task.id, variables: [:])
        let events = try await h.store.outbox(limit: 100).map { try JSON.parse($0.payload) }
        #expect(events.map { $0[member: "type"].stringValue ?? "" } == ["instance_started", "task_created", "task_completed", "instance_completed"])
        #expect(events.allSatisfy { $0[member: "instance_id"].stringValue == s.id && $0[member: "definition_id"] == "approve" })
        #expect(try await h.store.outbox(limit: 100).allSatisfy { $0.key == s.id && $0.topic == "bpm-lifecycle" })
        try await h.store.deleteOutbox(try await h.store.outbox(limit: 100).map(\.id))
        #expect(try await h.store.outbox(limit: 100).isEmpty)
    }

    @Test func eventsNoDefinitionCanUseAreBadWithAPreciseReason() async throws {
        var registry = DefinitionRegistry()
        registry.add(try YAMLDefinitionReader.read(source: """
        id: temp
        trigger: {type: event, topic: t, condition: "fields.v > 25"}
        variables:
          - {name: device, source: tags.device_id}
        activities:
          - {id: s, type: script, set: {x: 1}}
        """, file: "temp.yaml"), version: 1)
        func decode(_ s: String, topic: String = "t") -> Result<Value, EventProblem> { EventDecoder.decode(Array(s.utf8), topic: topic, registry: registry) }
        #expect(throws: Never.self) { try decode(#"{"tags": {"device_id": "a"}, "fields": {"v": 3}}"#).get() }
        #expect(decode("not json").reasonOrNil == "not_json")
        #expect(decode("[1, 2]").reasonOrNil == "not_object")
        #expect(decode(#"{"fields": {"v": 30}}"#).reasonOrNil == "missing_path")
        #expect(decode(#"{"tags": {"device_id": "a"}, "fields": {"v": "hot"}}"#).reasonOrNil == "wrong_type")
        #expect(EventDecoder.decode([0xff, 0xfe], topic: "t", registry: registry).reasonOrNil == "not_json")
        let huge = #"{"tags": {"device_id": "a"}, "fields": {"v": 3}, "pad": ""# + String(repeating: "x", count: Limits().eventBytes) + #""}"#
        #expect(decode(huge).reasonOrNil == "too_large")
        // a topic no definition listens on: anything JSON goes (there is nothing to check it against)
        #expect(throws: Never.self) { try decode(#"{"x": 1}"#, topic: "other").get() }
        if case .failure(let p) = decode(#"{"fields": {"v": 30}}"#) { #expect(p.detail == "no 'tags.device_id' (variable 'device' of temp)") }
    }

    @Test func mqttTopicFilters() {
        #expect(MQTTTopic.matches(filter: "home/+/temp", topic: "home/kitchen/temp"))
        #expect(!MQTTTopic.matches(filter: "home/+/temp", topic: "home/kitchen/hall/temp"))
        #expect(MQTTTopic.matches(filter: "home/#", topic: "home/kitchen/temp"))
        #expect(MQTTTopic.matches(filter: "home/#", topic: "home"))
        #expect(!MQTTTopic.matches(filter: "#", topic: "$SYS/broker"))
        #expect(!MQTTTopic.matches(filter: "home/+", topic: "home/a/b"))
        #expect(MQTTTopic.matches(filter: "+/+", topic: "a/b"))
    }

    @Test func patternMistakesAreReportedWhereTheyAre() {
        func errors(_ trigger: String) -> [String] {
            do {
                _ = try YAMLDefinitionReader.read(source: "id: x\ntrigger:\n  type: event\n  topic: t\n\(trigger)\nactivities:\n  - {id: s, type: script, set: {a: 1}}\n", file: "x.yaml")
                return []
            } catch { return error.errors.map(\.description) }
        }
        #expect(errors("  count: 3") == ["x.yaml:5:10: error: 'count' needs 'within': the window the matches must fall in (e.g. 10m)"])
        #expect(errors("  within: 5m") == ["x.yaml:5:11: error: 'within' needs 'count': how many matches the window must hold"])
        #expect(errors("  for: 5m\n  count: 2\n  within: 1m").contains("x.yaml:5:8: error: a trigger has either 'for' (the condition holds for a time) or 'count' (matches in a window), not both"))
        #expect(errors("  count: 0\n  within: 1m") == ["x.yaml:5:10: error: 'count' must be 1 or more"])
    }
}

extension Result where Failure == EventProblem {
    var reasonOrNil: String? { if case .failure(let p) = self { p.reason } else { nil } }
}
