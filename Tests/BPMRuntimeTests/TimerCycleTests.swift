import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Timers everywhere (BPMN 2.0.2 §10.5.3 timer event definitions, §10.5.4 boundary events):
/// `timeDuration`, `timeDate` and `timeCycle`, static or FEEL, on boundary events, catch events
/// and event sub-process starts, run on the production runtime (Simulation, simulated clock).
@Suite struct TimerCycleTests {
    static func model(_ body: String) -> String {
        """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
          <process id="p" isExecutable="true">
        \(body)
          </process>
        </definitions>
        """
    }

    /// A user task with a timer boundary event `timer` (non-interrupting unless told) whose
    /// path is a task-less end.
    static func taskWithBoundary(_ timer: String, interrupting: Bool = false) -> String {
        model("""
            <startEvent id="s"/>
            <userTask id="work"/>
            <boundaryEvent id="remind" attachedToRef="work" cancelActivity="\(interrupting)">
              <timerEventDefinition>\(timer)</timerEventDefinition>
            </boundaryEvent>
            <endEvent id="reminded"/><endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
            <sequenceFlow id="f3" sourceRef="remind" targetRef="reminded"/>
        """)
    }

    func run(_ xml: String, _ variables: [String: Value] = [:]) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: xml, file: "m.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()),
                                       start: simStart)
        await sim.start(variables: variables)
        return sim
    }

    /// Seconds after the start at which `element` was activated.
    func firings(_ sim: Simulation, _ element: String) -> [Double] {
        sim.history.filter { $0.elementId == element && $0.event == "activated" }
            .map { $0.at.timeIntervalSince(simStart) }
    }

    /// §10.5.4: a non-interrupting boundary timer with a cycle fires at each repetition while the
    /// activity is active — three times for R3, one interval apart, measured from the arming.
    @Test func aRepeatingCycleOnANonInterruptingBoundaryFiresItsRepetitions() async throws {
        let sim = try await run(Self.taskWithBoundary("<timeCycle>R3/PT1H</timeCycle>"))
        await sim.runTimers(until: simStart.addingTimeInterval(10 * 3600))
        #expect(firings(sim, "remind") == [3600, 7200, 10800])
        #expect(sim.path.filter { $0 == "reminded" }.count == 3)
        #expect(sim.statusWord == "waiting", "the task is still open")
        #expect(sim.timers.isEmpty, "the cycle is done")
    }

    /// An unbounded cycle goes on until the activity ends; completing it cancels the next one.
    @Test func anEndlessCycleStopsWhenItsActivityCompletes() async throws {
        let sim = try await run(Self.taskWithBoundary("<timeCycle>R/PT1H</timeCycle>"))
        await sim.runTimers(until: simStart.addingTimeInterval(5.5 * 3600))
        #expect(firings(sim, "remind") == [3600, 7200, 10800, 14400, 18000])
        #expect(sim.timers.map { $0.dueAt.timeIntervalSince(simStart) } == [21600], "no drift: due on the hour")
        let task = try #require(sim.createdTasks.first)
        await sim.completeTask(task.id, variables: [:])
        #expect(sim.statusWord == "completed")
        #expect(sim.timers.isEmpty)
    }

    /// A cycle given as FEEL is evaluated once, when the boundary event is armed: later changes
    /// of its variables do not change the repetitions that follow.
    @Test func aCycleExpressionIsEvaluatedWhenArmed() async throws {
        let sim = try await run(Self.taskWithBoundary(#"<timeCycle>="R2/PT" + string(minutes) + "M"</timeCycle>"#),
                                ["minutes": 15])
        await sim.apply(.setVariables(["minutes": 1]))
        await sim.runTimers(until: simStart.addingTimeInterval(3600))
        #expect(firings(sim, "remind") == [900, 1800])
    }

    /// A cron cycle fires at the expression's times.
    @Test func aCronCycleFiresAtItsTimes() async throws {
        let sim = try await run(Self.taskWithBoundary("<timeCycle>0 0 * * * ?</timeCycle>"))
        await sim.runTimers(until: simStart.addingTimeInterval(3.5 * 3600))
        let hours = firings(sim, "remind").map { simStart.addingTimeInterval($0).timeIntervalSince1970 }
        #expect(hours.count == 3 && hours.allSatisfy { $0.truncatingRemainder(dividingBy: 3600) == 0 }, "\(hours)")
    }

    /// §10.5.3: timeDate fires at that date; on an interrupting boundary event it ends the task.
    @Test func aTimeDateOnAnInterruptingBoundaryFiresAtItsDate() async throws {
        let at = simStart.addingTimeInterval(86_400)
        let sim = try await run(Self.taskWithBoundary("<timeDate>\(Coding.iso(at))</timeDate>", interrupting: true))
        await sim.runTimers()
        #expect(firings(sim, "remind") == [86_400])
        #expect(sim.path.suffix(2) == ["remind", "reminded"])
        #expect(sim.statusWord == "completed")
    }

    /// A duration from a variable (`=duration(rentDuration)`, as Camunda's examples write it)
    /// on an intermediate catch event; a date from an expression too.
    @Test(arguments: [
        ("<timeDuration>=duration(rent)</timeDuration>", "PT2H", 7200.0),
        ("<timeDuration>=rent</timeDuration>", "PT30M", 1800.0),
        ("<timeDate>=date and time(rent)</timeDate>", "2027-01-16T08:00:00Z", 86_400.0),
    ])
    func dynamicTimersOnACatchEvent(timer: String, rent: String, due: Double) async throws {
        let sim = try await run(Self.model("""
            <startEvent id="s"/>
            <intermediateCatchEvent id="w">
              <timerEventDefinition>\(timer)</timerEventDefinition>
            </intermediateCatchEvent>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="w"/><sequenceFlow id="f2" sourceRef="w" targetRef="e"/>
        """), ["rent": .string(rent)])
        #expect(sim.timers.map { $0.dueAt.timeIntervalSince(simStart) } == [due])
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
    }

    /// A timer expression without a usable value holds the path with an incident naming it;
    /// once the variable is set, retrying the incident arms the timer.
    @Test func aTimerExpressionWithoutAValueRaisesAnIncidentThatCanBeRetried() async throws {
        let sim = try await run(Self.taskWithBoundary("<timeDuration>=duration(remindAfter)</timeDuration>"))
        let incident = try #require(sim.incidents.first)
        #expect(incident.elementId == "work" && incident.type == "timer")
        #expect(incident.message.contains("timer duration '=duration(remindAfter)' gave null"), "\(incident.message)")
        #expect(sim.createdTasks.count == 1 && sim.timers.isEmpty)
        await sim.apply(.setVariables(["remindAfter": "PT10M"]))
        await sim.apply(.retryIncident(incidentId: incident.id))
        #expect(sim.incidents.isEmpty)
        #expect(sim.timers.map { $0.dueAt.timeIntervalSince(simStart) } == [600])
    }

    /// §10.2.4 (event sub-processes): a non-interrupting timer start with a cycle starts the
    /// event sub-process at each repetition while its scope is active.
    @Test func aNonInterruptingEventSubProcessTimerCycleRunsItsRepetitions() async throws {
        let sim = try await run(Self.model("""
            <startEvent id="s"/>
            <userTask id="work"/>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="work"/><sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
            <subProcess id="esp" triggeredByEvent="true">
              <startEvent id="tick" isInterrupting="false">
                <timerEventDefinition><timeCycle>R2/PT10M</timeCycle></timerEventDefinition>
              </startEvent>
              <endEvent id="ticked"/>
              <sequenceFlow id="f3" sourceRef="tick" targetRef="ticked"/>
            </subProcess>
        """))
        await sim.runTimers(until: simStart.addingTimeInterval(3600))
        #expect(firings(sim, "tick") == [600, 1200])
        #expect(sim.statusWord == "waiting")
        #expect(sim.timers.isEmpty)
    }
}
