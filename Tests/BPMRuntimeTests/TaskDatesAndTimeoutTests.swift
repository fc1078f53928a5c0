import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

@Suite struct TaskDatesAndTimeoutTests {
    func sim(_ yaml: String) async throws -> Simulation {
        try await Simulation(definition: try YAMLDefinitionReader.read(source: yaml, file: "t.yaml"), connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
    }

    @Test func dueAndFollowUpDatesAreDurationsOrExpressions() async throws {
        let s = try await sim("""
            id: t
            activities:
              - id: approve
                type: user
                due: 2d
                follow_up: reminder
              - id: check
                type: user
                due: deadline
            """)
        await s.start(variables: ["reminder": "PT4H", "deadline": "2027-03-01T12:00:00Z"])
        let first = try #require(s.openTasks.first)
        #expect(first.dueAt == simStart + 2 * 86400)
        #expect(first.followUpAt == simStart + 4 * 3600)
        #expect(first.value[member: "dueAt"] == .string(Coding.iso(simStart + 2 * 86400)))
        await s.completeTask(first.id, variables: [:])
        #expect(s.openTasks.first?.dueAt == ISODate.parse("2027-03-01T12:00:00Z"))
    }

    @Test func bpmnTaskScheduleGivesDueAndFollowUpDates() throws {
        let xml = """
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
              <process id="p" isExecutable="true">
                <startEvent id="s"/>
                <sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
                <userTask id="u">
                  <extensionElements><zeebe:taskSchedule dueDate="2027-01-01T09:00:00Z" followUpDate="=later"/></extensionElements>
                </userTask>
                <sequenceFlow id="f2" sourceRef="u" targetRef="e"/>
                <endEvent id="e"/>
              </process>
            </definitions>
            """
        let def = try BPMNDefinitionReader.read(source: xml, file: "p.bpmn")[0]
        guard case .userTask(let u) = def.element("u")?.kind, case .expression(let due)? = u.due, case .expression(let follow)? = u.followUp else {
            Issue.record("no task schedule read")
            return
        }
        #expect(due.evaluate([:]) == "2027-01-01T09:00:00Z")
        #expect(follow.source == "later")
    }

    @Test func aProcessTimeoutFailsOrTerminatesTheInstance() async throws {
        let waiting = """
            activities:
              - id: approve
                type: user
            """
        let fails = try await sim("id: a\ntimeout: 1h\n" + waiting)
        await fails.start(variables: [:])
        #expect(fails.statusWord == "waiting")
        await fails.runTimers()
        #expect(fails.statusWord == "failed")
        #expect(fails.state?.error?.code == "process_timeout")
        #expect(fails.state?.error?.message == "the instance ran longer than its timeout of 1h")
        #expect(fails.now == simStart + 3600)

        let ends = try await sim("id: b\ntimeout: {after: 30m, then: terminate}\n" + waiting)
        await ends.start(variables: [:])
        await ends.runTimers()
        #expect(ends.statusWord == "terminated")
        #expect(ends.history.contains { $0.elementId == "approve" && $0.event == "terminated" })

        // finishing in time cancels the timeout
        let quick = try await sim("id: c\ntimeout: 1h\n" + waiting)
        await quick.start(variables: [:])
        await quick.completeTask(try #require(quick.openTasks.first).id, variables: [:])
        #expect(quick.statusWord == "completed")
        #expect(quick.timers.isEmpty)
    }

    @Test func aMistakenTimeoutIsReportedWithItsPlace() {
        #expect(throws: DefinitionErrors.self) {
            _ = try YAMLDefinitionReader.read(source: "id: d\ntimeout: {after: 1h, then: explode}\nactivities:\n  - {id: a, type: user}\n", file: "d.yaml")
        }
        do {
            _ = try YAMLDefinitionReader.read(source: "id: d\ntimeout: {after: 1h, then: explode}\nactivities:\n  - {id: a, type: user}\n", file: "d.yaml")
        } catch {
            #expect(error.errors.map(\.description) == ["d.yaml:2:28: error: timeout.then must be 'fail' (the instance fails with error process_timeout) or 'terminate' (it is cancelled)"])
        }
    }
}
