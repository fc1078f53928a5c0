import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import BPMStoreSQLite
import Foundation
import Logging
import Testing

/// A runtime on a fresh SQLite file with a manual clock and a recording connector.
struct Harness {
    let dir: URL
    let store: SQLiteStore
    let clock: ManualClock
    let recorder: RecordingConnector
    let runtime: Runtime

    init(dir: URL? = nil, clock: ManualClock = ManualClock(simStart), recorder: RecordingConnector = RecordingConnector(),
         connectors: ConnectorRegistry? = nil) async throws
    {
        let d = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("bpm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        self.dir = d
        store = try SQLiteStore(path: d.appendingPathComponent("bpm.sqlite").path, synchronous: "NORMAL")
        try await store.migrate()
        self.clock = clock
        self.recorder = recorder
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        runtime = Runtime(store: store, clock: clock, connectors: connectors ?? RoutingRegistry.make(store: store, clock: clock, recorder: recorder), logger: logger)
        try await runtime.start(timerLoop: false)
    }

    func deploy(_ name: String) async throws {
        let path = repoRoot.appendingPathComponent("examples/\(name).yaml").path
        try await runtime.deploy(source: try String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }
}

/// database_log writes to the store; every other action goes to the recorder.
enum RoutingRegistry {
    static func make(store: any ProcessStore, clock: any EngineClock, recorder: RecordingConnector) -> ConnectorRegistry {
        var r = ConnectorRegistry()
        r.register("database_log", DatabaseLogConnector(store: store, clock: clock))
        for action in ["mqtt_publish", "notify", "http"] { r.register(action, recorder) }
        return r
    }
}

@Suite struct RuntimeTests {
    @Test func eventsStartOneInstancePerDeviceAndCorrelateLaterReadings() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.deploy("temperature-control")
        let first = try await h.runtime.publish(event: telemetry("hp1", 27.5), topic: "heatpump-telemetry")
        #expect(first.map(\.action) == [.started])
        let other = try await h.runtime.publish(event: telemetry("hp2", 30.0), topic: "heatpump-telemetry")
        #expect(other.map(\.action) == [.started])
        #expect(first[0].instanceId != other[0].instanceId)
        // a later reading for hp1 — below the trigger threshold — refreshes the running instance
        let later = try await h.runtime.publish(event: telemetry("hp1", 22.0), topic: "heatpump-telemetry")
        #expect(later == [Runtime.EventOutcome(definitionId: "temperature-control", action: .correlated, instanceId: first[0].instanceId, correlationKey: "hp1")])
        // a normal reading for an unknown device starts nothing
        let ignored = try await h.runtime.publish(event: telemetry("hp3", 20.0), topic: "heatpump-telemetry")
        #expect(ignored.map(\.action) == [.ignored])
        // other topics do not reach this definition
        #expect(try await h.runtime.publish(event: telemetry("hp1", 40), topic: "other").isEmpty)

        h.clock.advance(by: 300)
        try await h.runtime.settle()
        let s1 = try #require(try await h.store.instance(first[0].instanceId!))
        let s2 = try #require(try await h.store.instance(other[0].instanceId!))
        #expect(s1.status == .completed)
        #expect(s2.status == .completed)
        let h1 = try await h.store.history(instanceId: s1.id)
        #expect(h1.contains { $0.elementId == "log_success" && $0.event == "completed" })
        let h2 = try await h.store.history(instanceId: s2.id)
        #expect(h2.contains { $0.elementId == "escalate" && $0.event == "completed" })
        let logs = try await h.store.logs(instanceId: s1.id)
        #expect(logs.map(\.message) == ["Cooling successful"])
        #expect(h.recorder.calls.filter { $0.action == "mqtt_publish" }.count == 2)

        // once hp1's instance ended, the next matching reading starts a new one
        let again = try await h.runtime.publish(event: telemetry("hp1", 26.0), topic: "heatpump-telemetry")
        #expect(again.map(\.action) == [.started])
        #expect(again[0].instanceId != first[0].instanceId)
    }

    @Test func concurrentEventsForOneKeyNeverStartTwoInstances() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.deploy("temperature-control")
        let outcomes = try await withThrowingTaskGroup(of: [Runtime.EventOutcome].self) { group in
            for i in 0..<50 {
                group.addTask { try await h.runtime.publish(event: telemetry("hp1", 26.0 + Double(i) / 10), topic: "heatpump-telemetry") }
            }
            var all: [Runtime.EventOutcome] = []
            for try await o in group { all += o }
            return all
        }
        #expect(outcomes.filter { $0.action == .started }.count == 1)
        #expect(outcomes.filter { $0.action == .correlated }.count == 49)
        #expect(try await h.store.countInstances(status: nil) == 1)
        let stats = await h.runtime.stats
        #expect(stats.maxBatchSize > 1, "concurrent work shares transactions (group commit)")
    }

    @Test func instancesContinueAfterARestart() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.deploy("temperature-control")
        let o = try await h.runtime.publish(event: telemetry("hp1", 27.5), topic: "heatpump-telemetry")
        let id = try #require(o.first?.instanceId)
        await h.runtime.shutdown()

        // a new runtime on the same file, as after a crash
        let recorder2 = RecordingConnector()
        let h2 = try await Harness(dir: h.dir, clock: clock, recorder: recorder2)
        clock.advance(by: 301)
        try await h2.runtime.settle()
        let s = try #require(try await h2.store.instance(id))
        #expect(s.status == .completed)
        #expect(try await h2.store.history(instanceId: id).filter { $0.elementType == "process" && $0.event == "completed" }.count == 1)
        #expect(try await h2.store.dueTimers(before: clock.now(), limit: 10).isEmpty)
    }

    @Test func pendingJobsAreRedispatchedAfterARestart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("bpm.sqlite").path)
        try await store.migrate()
        // a job written but never reported, as when the engine dies right after the commit
        let def = try YAMLDefinitionReader.read(source: "id: p\nactivities:\n  - {id: call, type: service, action: notify, message: hi}\n", file: "p.yaml")
        _ = try await store.saveDefinition(id: "p", name: "p", format: "yaml", source: "id: p\nactivities:\n  - {id: call, type: service, action: notify, message: hi}\n",
                                           contentHash: "x", origin: "p.yaml", at: simStart)
        let t = Engine.start(def, instanceId: "i-1", version: 1, variables: [:], now: simStart)
        var batch = CommitBatch()
        batch.add(t, expectedRevision: nil)
        try await store.commit(batch)
        #expect(try await store.pendingJobs(limit: 10).count == 1)

        let h = try await Harness(dir: dir)
        try await h.runtime.settle()
        #expect(h.recorder.calls.map(\.action) == ["notify"])
        let jobId = t.effects.compactMap { if case .dispatchJob(let j) = $0 { j.id } else { nil } }.first
        #expect(h.recorder.calls.first?.jobId == jobId)
        #expect(try await h.store.instance("i-1")?.status == .completed)
        #expect(try await h.store.pendingJobs(limit: 10).isEmpty)
    }

    @Test func userTasksAndIncidentsThroughTheRuntime() async throws {
        let recorder = RecordingConnector()
        recorder.fail("http", message: "registry down")
        let h = try await Harness(recorder: recorder)
        defer { h.cleanup() }
        try await h.deploy("approval")
        try await h.deploy("device-onboarding")
        let o = try await h.runtime.publish(event: ["tags": ["request_id": "r9"], "fields": ["amount": 200, "requester": "bob", "action": "x"]], topic: "approval-requests")
        let tasks = try await h.store.userTasks(TaskQuery(candidateGroup: "managers"))
        #expect(tasks.count == 1)
        let done = try await h.runtime.completeTask(tasks[0].id, variables: ["approved": false])
        #expect(done.id == o[0].instanceId)
        #expect(done.currentActivities == ["notify_rejected"], "the rejection notice is a connector job, run after the commit")
        try await h.runtime.settle()
        #expect(try await h.store.instance(done.id)?.variables["request_status"] == "rejected")
        #expect(try await h.store.instance(done.id)?.status == .completed)
        await #expect(throws: Runtime.RuntimeError.self) { try await h.runtime.completeTask(tasks[0].id, variables: [:]) }

        let reg = try await h.runtime.publish(event: ["name": "device_registered", "tags": ["device_id": "d1"], "fields": ["model": "HP-100", "firmware": 3]], topic: "device-registrations")
        let id = try #require(reg.first?.instanceId)
        for _ in 0..<4 {
            try await h.runtime.settle()
            h.clock.advance(by: 60)
        }
        try await h.runtime.settle()
        let incidents = try await h.store.incidents(instanceId: id, openOnly: true)
        #expect(incidents.count == 1)
        #expect(recorder.calls.filter { $0.action == "http" }.count == 4)
        recorder.fail("http", times: 0)
        let retried = try await h.runtime.retryIncident(incidents[0].incident.id)
        #expect(retried.incidents.isEmpty)
        try await h.runtime.settle()
        #expect(try await h.store.instance(id)?.status == .completed)
        #expect(try await h.store.incidents(instanceId: id, openOnly: true).isEmpty)
    }

    @Test func definitionVersions() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        let v1 = "id: p\nactivities:\n  - {id: wait, type: user}\n"
        let v2 = "id: p\nactivities:\n  - {id: a, type: script, set: {x: 1}}\n"
        #expect(try await h.runtime.deploy(source: v1, file: "p.yaml")[0].1 == 1)
        #expect(try await h.runtime.deploy(source: v1, file: "p.yaml")[0].1 == 1, "identical content keeps its version")
        let old = try await h.runtime.startInstance("p")
        #expect(try await h.runtime.deploy(source: v2, file: "p.yaml")[0].1 == 2)
        let new = try await h.runtime.startInstance("p")
        #expect(new.definitionVersion == 2)
        #expect(new.status == .completed)
        // the running instance stays on version 1
        let task = try #require(try await h.store.userTasks(TaskQuery(instanceId: old.id)).first)
        let done = try await h.runtime.completeTask(task.id, variables: [:])
        #expect(done.definitionVersion == 1)
        #expect(done.status == .completed)
        await #expect(throws: DefinitionErrors.self) { try await h.runtime.deploy(source: "id: p\nactivities: 3\n", file: "bad.yaml") }
        #expect(await h.runtime.definition("p")?.1 == 2, "an invalid deployment leaves the last good version active")
    }
}

@Suite struct SuspendTests {
    @Test func aSuspendedInstanceHoldsWhatArrivesAndKeepsItsKey() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.deploy("temperature-control")
        let o = try await h.runtime.publish(event: telemetry("hp1", 27.5), topic: "heatpump-telemetry")
        let id = try #require(o.first?.instanceId)
        try await h.runtime.settle()
        let s = try await h.runtime.send(.suspend, to: id)
        #expect(s.status == .suspended)
        await #expect(throws: (any Error).self) { try await h.runtime.send(.suspend, to: id) }

        // a new reading arrives, then the timer comes due: both are held, and no second instance starts
        let later = try await h.runtime.publish(event: telemetry("hp1", 22.0), topic: "heatpump-telemetry")
        #expect(later.map(\.action) == [.correlated])
        h.clock.advance(by: 301)
        try await h.runtime.settle()
        var stored = try #require(try await h.store.instance(id))
        #expect(stored.status == .suspended)
        #expect(stored.currentActivities == ["wait_recheck"])
        #expect(stored.held.count == 2)
        #expect(try await h.store.countInstances(status: nil) == 1)
        #expect(try await h.store.instances(InstanceQuery(status: .suspended)).map(\.id) == [id])

        // resuming applies them in arrival order: the reading, then the timer → log_success
        _ = try await h.runtime.send(.resume, to: id)
        try await h.runtime.settle()
        stored = try #require(try await h.store.instance(id))
        #expect(stored.status == .completed)
        #expect(stored.variables["temperature"] == 22)
        #expect(try await h.store.history(instanceId: id).contains { $0.elementId == "log_success" && $0.event == "completed" })
    }

    @Test func personActionsWaitForResume() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.deploy("approval")
        let o = try await h.runtime.publish(event: ["tags": ["request_id": "r1"], "fields": ["amount": 100, "requester": "x", "action": "y"]], topic: "approval-requests")
        let id = try #require(o.first?.instanceId)
        let task = try #require(try await h.store.userTasks(TaskQuery(instanceId: id)).first)
        _ = try await h.runtime.send(.suspend, to: id)
        await #expect(throws: (any Error).self) { try await h.runtime.completeTask(task.id, variables: ["approved": true]) }
        _ = try await h.runtime.send(.resume, to: id)
        let done = try await h.runtime.completeTask(task.id, variables: ["approved": true])
        #expect(done.currentActivities == ["execute_action"])
    }
}
