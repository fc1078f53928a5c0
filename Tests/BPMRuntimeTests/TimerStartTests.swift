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
        #expect(throws: DefinitionErrors.self) { try BPMNDefinitionReader.read(source: Self.model("0 0 8 * * ?"), file: "cron.bpmn") }
        do { _ = try BPMNDefinitionReader.read(source: Self.model("every day"), file: "x.bpmn") } catch {
            #expect(error.errors.first?.description.hasPrefix("x.bpmn:3:") == true)
            #expect(error.errors.first?.message.contains("ISO 8601 repeating interval") == true)
        }
    }
}
