import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Edge semantics of end and boundary events, each citing the clause of BPMN 2.0.2 it follows,
/// run on the production runtime (Simulation).
@Suite struct BPMNEdgeSemanticsTests {
    static let head = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                 xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
    """

    static func script(_ id: String, _ variable: String) -> String {
        #"<scriptTask id="\#(id)"><extensionElements><zeebe:script expression="=true" resultVariable="\#(variable)"/>"#
            + "</extensionElements></scriptTask>"
    }

    func run(_ xml: String) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: xml, file: "m.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()),
                                       start: simStart)
        await sim.start(variables: [:])
        return sim
    }

    /// §13.5.6 (End Events): an escalation end event throws its escalation and ends its path; with
    /// no catching boundary event or event sub-process nothing else happens, and the process
    /// completes when nothing else is active.
    @Test func uncaughtEscalationEndEventEndsOnlyItsPath() async throws {
        let sim = try await run(Self.head + """
          <escalation id="esc" escalationCode="LATE"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <parallelGateway id="fork"/>
            <subProcess id="sub">
              <startEvent id="ss"/>
              <endEvent id="raise"><escalationEventDefinition escalationRef="esc"/></endEvent>
              <sequenceFlow id="a" sourceRef="ss" targetRef="raise"/>
            </subProcess>
            \(Self.script("afterSub", "subDone"))
            \(Self.script("other", "otherDone"))
            <endEvent id="e1"/><endEvent id="e2"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="fork"/>
            <sequenceFlow id="f2" sourceRef="fork" targetRef="sub"/>
            <sequenceFlow id="f3" sourceRef="fork" targetRef="other"/>
            <sequenceFlow id="f4" sourceRef="sub" targetRef="afterSub"/>
            <sequenceFlow id="f5" sourceRef="afterSub" targetRef="e1"/>
            <sequenceFlow id="f6" sourceRef="other" targetRef="e2"/>
          </process>
        </definitions>
        """)
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["subDone"] == true, "the sub-process completed normally after its escalation end")
        #expect(sim.state?.variables["otherDone"] == true)
        #expect(sim.path.contains("raise"))
    }

    /// §13.5.6 (End Events): a terminate end event inside a sub-process terminates that
    /// sub-process only; its other paths end, and the flow continues after the sub-process.
    @Test func terminateEndEventInsideASubProcessEndsOnlyThatSubProcess() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <parallelGateway id="outerFork"/>
            <subProcess id="sub">
              <startEvent id="ss"/>
              <parallelGateway id="fork"/>
              <userTask id="waitForever"/>
              <endEvent id="stop"><terminateEventDefinition/></endEvent>
              <sequenceFlow id="a" sourceRef="ss" targetRef="fork"/>
              <sequenceFlow id="b" sourceRef="fork" targetRef="waitForever"/>
              <sequenceFlow id="c" sourceRef="fork" targetRef="stop"/>
            </subProcess>
            <userTask id="outside"/>
            \(Self.script("afterSub", "continued"))
            <endEvent id="e1"/><endEvent id="e2"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="outerFork"/>
            <sequenceFlow id="f2" sourceRef="outerFork" targetRef="sub"/>
            <sequenceFlow id="f3" sourceRef="outerFork" targetRef="outside"/>
            <sequenceFlow id="f4" sourceRef="sub" targetRef="afterSub"/>
            <sequenceFlow id="f5" sourceRef="afterSub" targetRef="e1"/>
            <sequenceFlow id="f6" sourceRef="outside" targetRef="e2"/>
          </process>
        </definitions>
        """)
        #expect(sim.state?.variables["continued"] == true, "the flow continued after the terminated sub-process")
        #expect(sim.statusWord == "waiting", "the task outside the sub-process is still open")
        #expect(sim.openTasks.map(\.elementId) == ["outside"], "the sub-process's own task was ended")
        let outside = try #require(sim.openTasks.first)
        await sim.completeTask(outside.id, variables: [:])
        #expect(sim.statusWord == "completed")
    }

    /// §10.5.6 (Handling Events, interrupting handlers): an interrupting signal start
    /// event of an event sub-process cancels the rest of its scope (here the process's open task);
    /// the instance then ends with the event sub-process.
    @Test func interruptingSignalStartOfAnEventSubProcessCancelsItsScope() async throws {
        let sim = try await run(Self.head + """
          <signal id="sig" name="shutdown"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <userTask id="work"/>
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
            <subProcess id="onShutdown" triggeredByEvent="true">
              <startEvent id="ess" isInterrupting="true"><signalEventDefinition signalRef="sig"/></startEvent>
              \(Self.script("cleanup", "cleanedUp"))
              <endEvent id="ese"/>
              <sequenceFlow id="a" sourceRef="ess" targetRef="cleanup"/>
              <sequenceFlow id="b" sourceRef="cleanup" targetRef="ese"/>
            </subProcess>
          </process>
        </definitions>
        """)
        #expect(sim.openTasks.map(\.elementId) == ["work"])
        let reached = await sim.broadcast(signal: "shutdown")
        #expect(reached.correlated == 1)
        #expect(sim.openTasks.isEmpty, "the open task of the scope was cancelled")
        #expect(sim.history.contains { $0.elementId == "work" && $0.event == "terminated" })
        #expect(sim.state?.variables["cleanedUp"] == true)
        #expect(sim.statusWord == "completed")
        #expect(!sim.path.contains("e"), "the normal end was never reached")
    }

    /// §10.5.6 (Handling Events, interrupting handlers): an interrupting signal boundary event on
    /// an activity inside a sub-process cancels that activity only; the sub-process carries on
    /// along the boundary event's flow.
    @Test func interruptingSignalBoundaryInsideASubProcessCancelsThatActivity() async throws {
        let sim = try await run(Self.head + """
          <signal id="sig" name="abort-review"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub">
              <startEvent id="ss"/>
              <userTask id="review"/>
              <boundaryEvent id="aborted" attachedToRef="review">
                <signalEventDefinition signalRef="sig"/></boundaryEvent>
              \(Self.script("fallback", "fellBack"))
              <endEvent id="se1"/><endEvent id="se2"/>
              <sequenceFlow id="a" sourceRef="ss" targetRef="review"/>
              <sequenceFlow id="b" sourceRef="review" targetRef="se1"/>
              <sequenceFlow id="c" sourceRef="aborted" targetRef="fallback"/>
              <sequenceFlow id="d" sourceRef="fallback" targetRef="se2"/>
            </subProcess>
            \(Self.script("afterSub", "continued"))
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
            <sequenceFlow id="f2" sourceRef="sub" targetRef="afterSub"/>
            <sequenceFlow id="f3" sourceRef="afterSub" targetRef="e"/>
          </process>
        </definitions>
        """)
        #expect(sim.openTasks.map(\.elementId) == ["review"])
        let reached = await sim.broadcast(signal: "abort-review")
        #expect(reached.correlated == 1)
        #expect(sim.openTasks.isEmpty, "the review task was cancelled")
        #expect(sim.history.contains { $0.elementId == "review" && $0.event == "terminated" })
        #expect(sim.state?.variables["fellBack"] == true)
        #expect(sim.state?.variables["continued"] == true, "the sub-process went on and completed")
        #expect(sim.statusWord == "completed")
    }
}
