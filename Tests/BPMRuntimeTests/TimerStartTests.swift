import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Testing

@Suite struct TimerStartTests {
    static func model(_ cycle: String, id: String = "ticker") -> String {
        """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
          <process id="\(id)" isExecutable="true">
            <startEvent id="tick"><timerEventDefinition><timeCycle>\(cycle)</timeCycle></timerEventDefinition></startEvent>
            <endEvent id="done"/>
            <sequenceFlow id="f" sourceRef="tick" targetRef="done"/>
          </process>
        </definitions>
        """
    }

    func started(_ h: Harness) async throws -> Int { try await h.store.countInstances(status: nil) }

    @Test func repeatingCycleSurvivesARestartWithoutDoubleFiring() async throws {
        let clock = ManualClock(simStart)
        var h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.model("R3/PT10S"), file: "ticker.bpmn")
        try await h.runtime.settle()
        #expect(try await started(h) == 0)
        clock.advance(by: 10)
        try await h.runtime.settle()
        #expect(try await started(h) == 1)
        // restart in the middle of the schedule: nothing fires twice, nothing is lost
        await h.runtime.shutdown()
        h = try await Harness(dir: h.dir, clock: clock)
        try await h.runtime.settle()
        #expect(try await started(h) == 1)
        for _ in 0..<5 {
            clock.advance(by: 10)
            try await h.runtime.settle()
        }
        #expect(try await started(h) == 3, "R3 fires three times")
        #expect(try await h.store.countInstances(status: .completed) == 3)
    }

    @Test func missedOccurrencesCollapseIntoOneAndTheScheduleKeepsItsTimes() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.model("R/PT60S"), file: "ticker.bpmn")
        clock.advance(by: 60 * 5 + 30)  // five occurrences missed while "down"
        try await h.runtime.settle()
        #expect(try await started(h) == 1)
        #expect(try await h.store.nextTimerDue() == simStart + 360, "the next occurrence stays on the schedule's own times")
        clock.advance(by: 30)
        try await h.runtime.settle()
        #expect(try await started(h) == 2)
    }

    @Test func aNewVersionTakesOverTheSchedule() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.model("R/PT10S"), file: "ticker.bpmn")
        try await h.runtime.deploy(source: Self.model("R/PT100S"), file: "ticker.bpmn")
        clock.advance(by: 50)
        try await h.runtime.settle()
        #expect(try await started(h) == 0, "version 1's schedule ended with its replacement")
        clock.advance(by: 50)
        try await h.runtime.settle()
        let all = try await h.store.instances(InstanceQuery())
        #expect(all.map(\.definitionVersion) == [2])
    }

    @Test func zeebeDailyTimerStart() async throws {
        let clock = ManualClock(simStart)
        let h = try await Harness(clock: clock)
        defer { h.cleanup() }
        let path = zeebeDir.appendingPathComponent("timer-start-event-daily.bpmn").path
        try await h.runtime.deploy(source: try String(contentsOfFile: path, encoding: .utf8), file: path)
        for _ in 0..<7 {
            clock.advance(by: 86400)
            try await h.runtime.settle()
        }
        #expect(try await started(h) == 7)
    }

    @Test func invalidCyclesAreRejectedWithTheirLocation() {
        #expect(throws: Never.self) { try BPMNDefinitionReader.read(source: Self.model("0 0 8 * * ?"), file: "cron.bpmn") }
        do { _ = try BPMNDefinitionReader.read(source: Self.model("0 0 25 * * ?"), file: "cron.bpmn") } catch {
            #expect(error.errors.first?.message == "timer cycle '0 0 25 * * ?': hour '25' is outside 0…23")
        }
        do { _ = try BPMNDefinitionReader.read(source: Self.model("every day"), file: "x.bpmn") } catch {
            #expect(error.errors.first?.description.hasPrefix("x.bpmn:3:") == true)
            #expect(error.errors.first?.message.contains("ISO 8601 repeating interval") == true)
        }
    }
}

@Suite struct CronTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ s: String) -> Date { ISODate.parse(s)! }

    @Test func dailyInATimeZone() throws {
        let c = try CronExpression("0 8 * * *", timeZone: berlin)
        #expect(c.next(after: date("2026-11-26T06:00:00Z")) == date("2026-11-26T07:00:00Z"))  // 08:00 CET
        #expect(c.next(after: date("2026-11-26T07:00:00Z")) == date("2026-11-27T07:00:00Z"))
        #expect(c.next(after: date("2026-07-01T00:00:00Z")) == date("2026-07-01T06:00:00Z"))  // 08:00 CEST
    }

    @Test func weekdaysStepsListsAndSeconds() throws {
        let weekly = try CronExpression("30 6 * * MON", timeZone: TimeZone(identifier: "UTC")!)
        #expect(weekly.next(after: date("2026-11-26T00:00:00Z")) == date("2026-11-30T06:30:00Z"))
        let steps = try CronExpression("*/15 9-10 * * *")
        #expect(steps.next(after: date("2026-11-26T09:50:00Z")) == date("2026-11-26T10:00:00Z"))
        let zeebe = try CronExpression("0 0 12 1,15 * ?")
        #expect(zeebe.next(after: date("2026-11-02T00:00:00Z")) == date("2026-11-15T12:00:00Z"))
        #expect(throws: CronExpression.Failure.self) { try CronExpression("* * *") }
        #expect(throws: CronExpression.Failure.self) { try CronExpression("61 * * * *") }
    }

    /// Issue #7: the Scheduled Maintenance Process starts on its cron schedule for a week on a
    /// simulated clock: 7 daily starts, none twice across a restart in the middle.
    @Test func scheduledMaintenanceRunsDailyForAWeek() async throws {
        let clock = ManualClock(date("2026-11-23T00:00:00Z"))
        var h = try await Harness(clock: clock)
        defer { h.cleanup() }
        try await h.deploy("scheduled-maintenance")
        for hour in 1...(7 * 24) {
            clock.advance(by: 3600)
            try await h.runtime.settle()
            if hour == 3 * 24 + 8 {  // restart in the middle of the week, right after a start
                await h.runtime.shutdown()
                h = try await Harness(dir: h.dir, clock: clock)
                try await h.runtime.settle()
            }
        }
        let all = try await h.store.instances(InstanceQuery(definitionId: "scheduled-maintenance", limit: 100))
        #expect(all.count == 7)
        let startHours = Set(all.map { Calendar(identifier: .gregorian).dateComponents(in: berlin, from: $0.startedAt).hour })
        #expect(startHours == [8], "every start at 08:00 Berlin time")
        #expect(Set(all.map { Calendar(identifier: .gregorian).dateComponents(in: berlin, from: $0.startedAt).day }).count == 7, "one start per day")
        // and by hand, at any time
        let manual = try await h.runtime.startInstance("scheduled-maintenance")
        #expect(manual.currentActivities == ["check_device_status"])
    }
}
