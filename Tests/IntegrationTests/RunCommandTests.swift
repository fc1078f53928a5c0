import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// `bpm run` on the production engine: several instances (a call activity's child), honest
/// exit statuses, and bounds that stop runaway runs.
@Suite struct RunCommandTests {
    /// A parent whose call activity starts a child that waits on a user task, with an
    /// interrupting one-hour timer on the call activity.
    static let callModel = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="parent" isExecutable="true">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
            <callActivity id="call"><extensionElements><zeebe:calledElement processId="child"/></extensionElements></callActivity>
            <boundaryEvent id="too_late" attachedToRef="call">
              <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
            </boundaryEvent>
            <sequenceFlow id="f2" sourceRef="call" targetRef="done"/>
            <endEvent id="done"/>
            <sequenceFlow id="f3" sourceRef="too_late" targetRef="timed_out"/>
            <endEvent id="timed_out"/>
          </process>
          <process id="child" isExecutable="true">
            <startEvent id="child_start"/>
            <sequenceFlow id="c1" sourceRef="child_start" targetRef="approve"/>
            <userTask id="approve"/>
            <sequenceFlow id="c2" sourceRef="approve" targetRef="child_end"/>
            <endEvent id="child_end"/>
          </process>
        </definitions>
        """

    func write(_ text: String, _ name: String) throws -> (URL, URL) {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    @Test func aCallActivityInterruptedByItsTimerTerminatesTheChild() async throws {
        let (dir, file) = try write(Self.callModel, "call.bpmn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["run", file.path, "--process", "parent", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try JSON.parse(r.stdout)
        #expect(out[member: "status"] == "completed")
        let path = (out[member: "history"].listValue ?? []).filter { $0[member: "event"] == "completed" && $0[member: "elementType"] != "process" }
            .compactMap { $0[member: "elementId"].stringValue }
        #expect(path == ["start", "too_late", "timed_out"])
        let children = out[member: "children"].listValue ?? []
        #expect(children.count == 1)
        #expect(children.first?[member: "process"] == "child")
        #expect(children.first?[member: "status"] == "terminated")
        #expect(children.first?[member: "parentId"] == out[member: "instanceId"])
        #expect(out[member: "instances"] == out[member: "children"])
    }

    @Test func anEndlessLoopExitsOneNamingTheLoop() async throws {
        let (dir, file) = try write("""
            id: spin
            activities:
              - {id: a, type: script, set: {n: if n = null then 1 else n + 1}}
              - {id: b, type: decision, condition: true, true_path: a, false_path: a}
            """, "spin.yaml")
        defer { try? FileManager.default.removeItem(at: dir) }
        // within 10 seconds of the engine's own work (processor time: the test run's other load
        // does not count), and well within a minute of wall time
        let began = Date()
        let (r, cpu) = try await Spawned.start([bpmBinary, "run", file.path, "--json"], separateErrors: true,
                                           directory: repoRoot.path).finishedMeasured()
        #expect(cpu < 10, "bpm run used \(cpu) s of processor time")
        #expect(Date().timeIntervalSince(began) < 60)
        #expect(r.status == 1)
        let incident = try JSON.parse(r.output)[member: "incidents"].listValue?.first
        #expect(incident?[member: "type"] == "step_limit")
        #expect(incident?[member: "message"].stringValue?.contains("loops through a → b → a without a wait state") == true)
        // the bound is an option
        let small = try await bpm(["run", file.path, "--max-steps", "50"])
        #expect(small.status == 1)
        #expect(small.stdout.contains("more than 50 steps without waiting"))
    }

    @Test func aProcessThatPollsForeverStopsAtTheTimerBound() async throws {
        let (dir, file) = try write("""
            id: poll
            activities:
              - {id: check, type: service, action: http, url: "http://status.invalid/"}
              - {id: pause, type: timer, duration: 10s, next: check}
            """, "poll.yaml")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["run", file.path, "--dry-run", "--max-timer-firings", "50", "--json"])
        #expect(r.status == 1)
        let out = try JSON.parse(r.stdout)
        #expect(out[member: "status"] == "waiting")
        #expect(out[member: "stopped"][member: "reason"] == "timer_firings")
        #expect(out[member: "stopped"][member: "message"].stringValue?.hasPrefix("still waiting on timer 'pause'") == true)
        #expect(out[member: "effects"].listValue?.count == 51)
        let horizon = try await bpm(["run", file.path, "--dry-run", "--max-time", "1m"])
        #expect(horizon.status == 1)
        #expect(horizon.stdout.contains("past the run's bound of 1m of simulated time"))
    }

    @Test func aLoopThroughConnectorCallsStopsWithAnIncident() async throws {
        let (dir, file) = try write("""
            id: pingpong
            activities:
              - {id: ping, type: service, action: http, url: "http://a.invalid/"}
              - {id: pong, type: service, action: http, url: "http://b.invalid/", next: ping}
            """, "pingpong.yaml")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["run", file.path, "--dry-run", "--max-steps", "100", "--json"])
        #expect(r.status == 1)
        let incident = try JSON.parse(r.stdout)[member: "incidents"].listValue?.first
        #expect(incident?[member: "type"] == "step_limit")
        #expect(incident?[member: "message"].stringValue?.contains("loops through ping → pong → ping without the clock moving") == true)
    }

    /// Processes that call each other without ever waiting are stopped by the step bound, as a
    /// loop inside one instance is: the call activity waits on an incident.
    @Test func callActivitiesThatLoopWithoutWaitingStopAtAnIncident() async throws {
        let (dir, file) = try write("""
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
              <process id="looper" isExecutable="true">
                <startEvent id="s"/>
                <sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
                <callActivity id="call"><extensionElements><zeebe:calledElement processId="quick"/></extensionElements></callActivity>
                <sequenceFlow id="f2" sourceRef="call" targetRef="call"/>
              </process>
              <process id="quick" isExecutable="true">
                <startEvent id="qs"/>
                <sequenceFlow id="q1" sourceRef="qs" targetRef="qe"/>
                <endEvent id="qe"/>
              </process>
            </definitions>
            """, "loop.bpmn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["run", file.path, "--process", "looper", "--max-steps", "100", "--json"])
        #expect(r.status == 1)
        let out = try JSON.parse(r.stdout)
        let incident = out[member: "incidents"].listValue?.first
        #expect(incident?[member: "elementId"] == "call")
        #expect(incident?[member: "message"].stringValue?.contains("the processes loop through call activities") == true)
        #expect(out[member: "children"].listValue?.count == 100)
    }

    /// A signal start event whose process throws the same signal: each instance starts the
    /// next without waiting. The run is refused, naming the signal, within the bound.
    @Test func instancesThatSignalEachOtherForeverAreRefused() async throws {
        let file = repoRoot.appendingPathComponent("Tests/Fixtures/signal-echo.bpmn")
        let (r, cpu) = try await Spawned.start([bpmBinary, "run", file.path, "--process", "starter", "--json"],
                                               separateErrors: true, directory: repoRoot.path).finishedMeasured()
        #expect(cpu < 10, "bpm run used \(cpu) s of processor time")
        #expect(r.status == 1)
        let out = try JSON.parse(r.output)
        #expect(out[member: "status"] == "not_started")
        #expect(out[member: "instances"] == [])
        let note = out[member: "notes"].listValue?.first?.stringValue ?? ""
        #expect(note.contains("more than 10000 rounds of deliveries in one step without any instance waiting"))
        #expect(note.contains("the processes loop through signal 'go'"))
        let small = try await bpm(["run", file.path, "--process", "starter", "--max-steps", "50"])
        #expect(small.status == 1)
        #expect(small.stdout.contains("more than 50 rounds of deliveries"))
    }

    /// Many deliveries in a few rounds are a fan-out, not a loop: 30 signals start 5 processes
    /// each, and each of those 150 instances throws another signal — 180 deliveries in 2
    /// rounds, allowed with a bound of 100.
    @Test func aWideFanOutOfDeliveriesIsNotALoop() async throws {
        let echoes = (1...5).map { i in
            """
              <process id="echo\(i)" isExecutable="true">
                <startEvent id="es\(i)"><signalEventDefinition signalRef="go"/></startEvent>
                <sequenceFlow id="ef\(i)" sourceRef="es\(i)" targetRef="ee\(i)"/>
                <endEvent id="ee\(i)"><signalEventDefinition signalRef="done"/></endEvent>
              </process>
            """
        }.joined(separator: "\n")
        let (dir, file) = try write("""
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
              <signal id="go" name="go"/>
              <signal id="done" name="done"/>
              <process id="starter" isExecutable="true">
                <startEvent id="s"/>
                <sequenceFlow id="f1" sourceRef="s" targetRef="each"/>
                <subProcess id="each">
                  <multiInstanceLoopCharacteristics>
                    <loopCardinality>30</loopCardinality>
                  </multiInstanceLoopCharacteristics>
                  <startEvent id="is"/>
                  <sequenceFlow id="i1" sourceRef="is" targetRef="throw"/>
                  <intermediateThrowEvent id="throw"><signalEventDefinition signalRef="go"/></intermediateThrowEvent>
                  <sequenceFlow id="i2" sourceRef="throw" targetRef="ie"/>
                  <endEvent id="ie"/>
                </subProcess>
                <sequenceFlow id="f2" sourceRef="each" targetRef="e"/>
                <endEvent id="e"/>
              </process>
            \(echoes)
            </definitions>
            """, "fan.bpmn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["run", file.path, "--process", "starter", "--max-steps", "100", "--json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let out = try JSON.parse(r.stdout)
        #expect(out[member: "status"] == "completed")
        let others = out[member: "instances"].listValue ?? []
        #expect(others.count == 150)
        #expect(others.allSatisfy { $0[member: "status"] == "completed" })
    }

    @Test func theCrossInstanceExamplesPassTheirTests() async throws {
        let r = try await bpm(["test", "bpmn-examples"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasSuffix("6 passed, 0 failed\n"))
    }

    /// BPMN 2.0.2 §13.5.5: `bpm run --json` on a compensation model shows the handlers in the
    /// history, the last completed activity's first (two flights, then the hotel).
    @Test func runShowsCompensationHandlersInReverseOrderOfCompletion() async throws {
        let file = repoRoot.appendingPathComponent("Tests/Fixtures/compensation/trip-booking.bpmn").path
        let r = try await bpm(["run", file, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let history = try JSON.parse(r.stdout)[member: "history"].listValue ?? []
        func ids(_ event: String, _ keep: (String) -> Bool = { _ in true }) -> [String] {
            history.filter { $0[member: "event"].stringValue == event }.compactMap { $0[member: "elementId"].stringValue }.filter(keep)
        }
        #expect(ids("compensating") == ["bookFlight", "bookFlight", "bookHotel"])
        #expect(ids("completed") { $0.hasPrefix("undo") && $0 != "undoAll" } == ["undoFlight", "undoFlight", "undoHotel"])
        #expect(ids("compensated") == ["bookFlight", "bookFlight", "bookHotel"])
    }
}
