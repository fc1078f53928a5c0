import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// Schedules on a simulated clock: catch-up after a restart (stop, advance, start), overlap
/// policies, jitter, pause and resume, and the variables each started instance gets.
@Suite struct ScheduleRuntimeTests {
    /// A process started every minute (from `simStart`) that waits at a user task until completed.
    static func process(_ options: String, every: String = "1m") -> String {
        """
        id: check
        trigger:
          type: timer
          every: \(every)
        \(options.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        activities:
          - {id: look, type: user}
        """
    }

    func instances(_ h: Harness, _ status: InstanceStatus? = nil) async throws -> [InstanceState] {
        var out: [InstanceState] = []
        for s in try await h.store.instances(InstanceQuery(definitionId: "check", status: status)) {
            if let i = try await h.store.instance(s.id) { out.append(i) }
        }
        return out.sorted { ($0.variables["scheduled_at"]?.stringValue ?? "") < ($1.variables["scheduled_at"]?.stringValue ?? "") }
    }

    func scheduled(_ h: Harness) async throws -> [String] {
        try await instances(h).compactMap { $0.variables["scheduled_at"]?.stringValue }
    }

    func finish(_ h: Harness, _ id: String) async throws {
        let task = try #require(try await h.store.userTasks(TaskQuery(instanceId: id)).first)
        _ = try await h.runtime.completeTask(task.id, variables: [:])
    }

    func minute(_ n: Int) -> String { Coding.iso(simStart + Double(n) * 60) }

    @Test(arguments: [("all", [7, 8, 9, 10]), ("last", [10])])
    func catchUpAfterARestartRunsTheMissedDueTimesWithinTheWindow(policy: String, expected: [Int]) async throws {
        let clock = ManualClock(simStart)
        var h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("catch_up: {window: 3m30s, policy: \(policy)}"),
            file: "check.yaml")
        clock.advance(by: 60)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [minute(1)])
        await h.runtime.shutdown()
        clock.advance(by: 9 * 60 + 10)  // down from minute 1 to 10:10; minutes 7–10 lie within 3m30s
        h = try await Harness(dir: h.dir, clock: clock)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [minute(1)] + expected.map(minute))
        clock.advance(by: 50)
        try await h.runtime.settle()
        #expect(try await scheduled(h).last == minute(11), "the schedule continues on its own times")
    }

    @Test func startedInstancesCarryTheScheduleAndTheirDueTime() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("name: probe\njitter: 20s"), file: "check.yaml")
        let jitter = ScheduleTimes.jitter(scheduleId: "check:probe", due: simStart + 60, max: 20)
        #expect(try await h.store.nextTimerDue() == simStart + 60 + jitter, "due at the due time plus its jitter")
        clock.advance(by: 60 + jitter - 0.5)
        try await h.runtime.settle()
        #expect(try await instances(h).isEmpty)
        clock.advance(by: 0.5)
        try await h.runtime.settle()
        let i = try #require(try await instances(h).first)
        #expect(i.variables["schedule_id"] == "check:probe")
        #expect(i.variables["scheduled_at"] == .string(minute(1)))
        #expect(i.variables["fired_at"] == .string(Coding.iso(simStart + 60 + jitter)))
        #expect(i.businessKey == "check:probe")
        let fire = try await h.store.scheduleFire(scheduleId: "check:probe", dueAt: simStart + 60)
        #expect(fire?.instanceId == i.id)
    }

    @Test func overlapSkipStartsNothingWhileTheLastRunRuns() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("overlap: skip"), file: "check.yaml")
        for _ in 0..<3 {
            clock.advance(by: 60)
            try await h.runtime.settle()
        }
        #expect(try await scheduled(h) == [minute(1)])
        try await finish(h, try await instances(h)[0].id)
        clock.advance(by: 60)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [minute(1), minute(4)])
    }

    @Test func overlapBufferOneKeepsOneRunUntilTheLastEnds() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("overlap: buffer_one", every: "1h"), file: "check.yaml")
        for _ in 0..<3 {
            clock.advance(by: 3600)
            try await h.runtime.settle()
        }
        #expect(try await scheduled(h) == [Coding.iso(simStart + 3600)], "hours 2 and 3 wait: one kept, one dropped")
        #expect(try await h.runtime.schedule("check:0")?.buffered == simStart + 7200)
        try await finish(h, try await instances(h)[0].id)
        clock.advance(by: 1)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [Coding.iso(simStart + 3600), Coding.iso(simStart + 7200)])
        #expect(try await h.runtime.schedule("check:0")?.buffered == nil)
    }

    @Test func overlapCancelOtherReplacesTheRunningOne() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("overlap: cancel_other"), file: "check.yaml")
        clock.advance(by: 60)
        try await h.runtime.settle()
        clock.advance(by: 60)
        try await h.runtime.settle()
        let all = try await instances(h)
        #expect(all.map { $0.variables["scheduled_at"]?.stringValue } == [minute(1), minute(2)])
        #expect(all.map(\.status) == [.terminated, .running])
    }

    @Test func overlapAllowAllStartsBesideTheRunningOne() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("overlap: allow_all"), file: "check.yaml")
        for _ in 0..<2 {
            clock.advance(by: 60)
            try await h.runtime.settle()
        }
        #expect(try await instances(h, .running).count == 2)
    }

    @Test func aPausedScheduleStartsNothingUntilResumed() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process("paused: true\noverlap: allow_all"), file: "check.yaml")
        #expect(try await h.runtime.schedule("check:0")?.paused == true)
        clock.advance(by: 120)
        try await h.runtime.settle()
        #expect(try await instances(h).isEmpty)
        let resumed = try await h.runtime.setSchedule("check:0", paused: false)
        #expect(!resumed.paused)
        #expect(resumed.next.first == simStart + 180, "the due times passed while paused are not caught up")
        clock.advance(by: 60)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [minute(3)])
        #expect(try await h.runtime.schedule("check:0")?.lastFire?.dueAt == simStart + 180)
        _ = try await h.runtime.setSchedule("check:0", paused: true)
        clock.advance(by: 60)
        try await h.runtime.settle()
        #expect(try await scheduled(h) == [minute(3)])
        await #expect(throws: Runtime.ScheduleError.self) { try await h.runtime.setSchedule("check:9", paused: true) }
    }
}
