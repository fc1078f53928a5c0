import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Compensation and transactions, each test citing the clause of BPMN 2.0.2 it follows, run on
/// the production runtime (Simulation).
@Suite struct CompensationTests {
    static let head = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                 xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
    """

    static func script(_ id: String, _ variable: String, _ expression: String = "true", extra: String = "") -> String {
        #"<scriptTask id="\#(id)" \#(extra)><extensionElements><zeebe:script expression="=\#(expression)" "#
            + #"resultVariable="\#(variable)"/></extensionElements></scriptTask>"#
    }

    /// A compensation boundary event on `activity` with its handler `undo_<activity>`, which sets
    /// `undone_<activity>` to `expression`.
    static func handler(_ activity: String, _ expression: String = "true") -> String {
        #"<boundaryEvent id="\#(activity)_comp" attachedToRef="\#(activity)"><compensateEventDefinition/></boundaryEvent>"#
            + script("undo_\(activity)", "undone_\(activity)", expression, extra: #"isForCompensation="true""#)
            + #"<association id="\#(activity)_as" sourceRef="\#(activity)_comp" targetRef="undo_\#(activity)"/>"#
    }

    static func flows(_ chain: String...) -> String {
        zip(chain, chain.dropFirst()).enumerated().map { i, p in
            #"<sequenceFlow id="flow\#(i)_\#(p.0)" sourceRef="\#(p.0)" targetRef="\#(p.1)"/>"#
        }.joined()
    }

    func run(_ xml: String) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: xml, file: "m.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: [:])
        return sim
    }

    func events(_ sim: Simulation, _ event: String) -> [String] { sim.history.filter { $0.event == event }.map(\.elementId) }

    /// §13.5.5 (Compensation Handling) and §10.6.5: the throw event compensates the completed
    /// activities of its scope, the last completed first; each completed instance of a
    /// multi-instance activity is compensated; a handler sees the variables as they were when its
    /// activity completed; the throw event continues once the handlers are done.
    @Test func handlersRunInReverseOrderOfCompletionWithTheVariablesOfTheirCompletion() async throws {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/compensation/trip-booking.bpmn").path
        let sim = try await run(try String(contentsOfFile: path, encoding: .utf8))
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensating") == ["bookFlight", "bookFlight", "bookHotel"])
        #expect(events(sim, "compensated") == ["bookFlight", "bookFlight", "bookHotel"])
        let handlers = sim.history.filter { $0.event == "completed" && $0.elementId.hasPrefix("undo") && $0.elementId != "undoAll" }
        #expect(handlers.map(\.elementId) == ["undoFlight", "undoFlight", "undoHotel"])
        let v = try #require(sim.state?.variables)
        #expect(v["refund"] == 100, "the hotel's handler sees the price as it was when the hotel was booked")
        #expect(v["price"] == 250)
        #expect(v["lastUndone"] == "LH1", "each flight's handler sees its own item; LH2 (completed last) is undone first")
        let lastCompensated = try #require(sim.history.lastIndex { $0.event == "compensated" })
        let thrown = try #require(sim.history.firstIndex { $0.elementId == "undoAll" && $0.event == "completed" })
        #expect(thrown > lastCompensated, "the throw event waits for its handlers")
    }

    /// §10.6.5: a compensation event with `activityRef` compensates only that activity.
    @Test func anActivityRefCompensatesOnlyThatActivity() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("a", "aDone"))\(Self.handler("a"))\(Self.script("b", "bDone"))\(Self.handler("b"))
            <intermediateThrowEvent id="t"><compensateEventDefinition activityRef="a"/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "a", "b", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensated") == ["a"])
        #expect(sim.state?.variables["undone_b"] == nil)
    }

    /// §13.5.5: a completed sub-process without a handler of its own is compensated by default —
    /// its completed inner activities, the last completed first; a compensation end event
    /// compensates its own scope only, and an activity is compensated once.
    @Test func aCompletedSubProcessIsCompensatedByDefaultInnerActivitiesInReverse() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("before", "beforeDone"))\(Self.handler("before"))
            <subProcess id="sub"><startEvent id="ss"/>\(Self.script("a", "aDone"))\(Self.handler("a"))
              \(Self.script("b", "bDone"))\(Self.handler("b"))<endEvent id="se"/>\(Self.flows("ss", "a", "b", "se"))</subProcess>
            <intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "before", "sub", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensating") == ["sub", "b", "a", "before"])
        #expect(events(sim, "compensated") == ["b", "a", "sub", "before"])
    }

    /// §10.6.5 (compensation end event in a sub-process): it compensates the activities of its
    /// own scope; those are not compensated again by a later throw outside.
    @Test func aCompensationEndEventCompensatesItsOwnScopeOnce() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("before", "beforeDone"))\(Self.handler("before"))
            <subProcess id="sub"><startEvent id="ss"/>\(Self.script("a", "aDone"))\(Self.handler("a"))
              <endEvent id="se"><compensateEventDefinition/></endEvent>\(Self.flows("ss", "a", "se"))</subProcess>
            <intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "before", "sub", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensated") == ["a", "before"])
    }

    /// §10.2.6 (Compensation event sub-process) and §13.5.5: a completed sub-process with a
    /// compensation event sub-process is compensated by running it, with the sub-process's
    /// variables as they were at its completion; a throw event in it compensates the
    /// sub-process's inner activities.
    @Test func aCompensationEventSubProcessCompensatesItsCompletedSubProcess() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub">
              <extensionElements><zeebe:ioMapping><zeebe:input source="=7" target="local"/></zeebe:ioMapping></extensionElements>
              <startEvent id="ss"/>\(Self.script("a", "aDone"))\(Self.handler("a"))<endEvent id="se"/>\(Self.flows("ss", "a", "se"))
              <subProcess id="onComp" triggeredByEvent="true">
                <startEvent id="cs"><compensateEventDefinition/></startEvent>\(Self.script("note", "seenLocal", "local"))
                <intermediateThrowEvent id="inner"><compensateEventDefinition/></intermediateThrowEvent><endEvent id="ce"/>
                \(Self.flows("cs", "note", "inner", "ce"))
              </subProcess>
            </subProcess>
            <intermediateThrowEvent id="t"><compensateEventDefinition activityRef="sub"/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "sub", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["seenLocal"] == 7, "the event sub-process sees the sub-process's local variables")
        #expect(sim.state?.variables["undone_a"] == true)
        #expect(events(sim, "compensated") == ["a", "sub"])
        #expect(sim.path.contains("onComp"))
    }

    /// §10.6.5: only successfully completed activities are compensated: a sub-process left by an
    /// error did not complete, so what completed inside it is not compensated.
    @Test func anInterruptedSubProcessIsNotCompensated() async throws {
        let sim = try await run(Self.head + """
          <error id="err" errorCode="BOOM"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub"><startEvent id="ss"/>\(Self.script("a", "aDone"))\(Self.handler("a"))
              <endEvent id="fail"><errorEventDefinition errorRef="err"/></endEvent>\(Self.flows("ss", "a", "fail"))</subProcess>
            <boundaryEvent id="caught" attachedToRef="sub"><errorEventDefinition errorRef="err"/></boundaryEvent>
            <intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            <endEvent id="e"/><endEvent id="e2"/>\(Self.flows("s", "sub", "e2"))\(Self.flows("caught", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(sim.path.contains("t"))
        #expect(events(sim, "compensating").isEmpty)
        #expect(sim.state?.variables["undone_a"] == nil)
    }

    /// §10.6.5 (`waitForCompletion` false): the throw event moves on at once while its handler
    /// runs; the instance completes when the handler has. A handler's changes to the variables it
    /// was given reach the scope of the throw.
    @Test func withoutWaitForCompletionThePathMovesOnWhileTheHandlerRuns() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("a", "amount", "10"))
            <boundaryEvent id="a_comp" attachedToRef="a"><compensateEventDefinition/></boundaryEvent>
            <userTask id="undo" isForCompensation="true"/><association id="as" sourceRef="a_comp" targetRef="undo"/>
            <intermediateThrowEvent id="t"><compensateEventDefinition waitForCompletion="false"/></intermediateThrowEvent>
            \(Self.script("after", "afterDone"))<endEvent id="e"/>\(Self.flows("s", "a", "t", "after", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "waiting")
        #expect(sim.state?.variables["afterDone"] == true, "the path went on without waiting")
        let task = try #require(sim.openTasks.first)
        #expect(task.elementId == "undo")
        await sim.completeTask(task.id, variables: ["amount": 0])
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["amount"] == 0, "the handler's change to a variable of its snapshot is kept")
        #expect(events(sim, "compensated") == ["a"])
    }

    /// §10.3.1 (Transaction) and §10.6.5 (Cancel Event): a cancel end event ends what is still
    /// active in the transaction, compensates its completed activities (the last completed
    /// first), then continues on the cancel boundary event's flow.
    @Test func aCancelledTransactionCompensatesThenLeavesByItsCancelBoundary() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <transaction id="tx"><startEvent id="ts"/><parallelGateway id="fork"/>
              \(Self.script("a", "aDone"))\(Self.handler("a"))\(Self.script("b", "bDone"))\(Self.handler("b"))
              <userTask id="review"/><endEvent id="cancel"><cancelEventDefinition/></endEvent>
              \(Self.flows("ts", "fork", "review"))\(Self.flows("fork", "a", "b", "cancel"))
            </transaction>
            <boundaryEvent id="cancelled" attachedToRef="tx"><cancelEventDefinition/></boundaryEvent>
            \(Self.script("afterCancel", "wasCancelled"))<endEvent id="e"/><endEvent id="e2"/>
            \(Self.flows("s", "tx", "e"))\(Self.flows("cancelled", "afterCancel", "e2"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensated") == ["b", "a"])
        #expect(sim.state?.variables["wasCancelled"] == true)
        #expect(sim.history.contains { $0.elementId == "review" && $0.event == "terminated" })
        #expect(sim.history.contains { $0.elementId == "tx" && $0.event == "terminated" })
        #expect(!sim.path.contains("e"))
        let cancelled = try #require(sim.history.firstIndex { $0.elementId == "cancelled" && $0.event == "completed" })
        let undone = try #require(sim.history.lastIndex { $0.event == "compensated" })
        #expect(cancelled > undone, "the boundary flow is taken after compensation")
    }

    /// §10.3.1 (Transaction, hazard): an error leaves the transaction by the error boundary
    /// event, without compensation.
    @Test func anErrorInATransactionLeavesByTheErrorPathWithoutCompensation() async throws {
        let sim = try await run(Self.head + """
          <error id="err" errorCode="HAZARD"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <transaction id="tx"><startEvent id="ts"/>\(Self.script("a", "aDone"))\(Self.handler("a"))
              <endEvent id="fail"><errorEventDefinition errorRef="err"/></endEvent>
              <endEvent id="cancel"><cancelEventDefinition/></endEvent>\(Self.flows("ts", "a", "fail"))
            </transaction>
            <boundaryEvent id="cancelled" attachedToRef="tx"><cancelEventDefinition/></boundaryEvent>
            <boundaryEvent id="hazard" attachedToRef="tx"><errorEventDefinition errorRef="err"/></boundaryEvent>
            <endEvent id="e"/><endEvent id="e2"/><endEvent id="e3"/>
            \(Self.flows("s", "tx", "e"))\(Self.flows("cancelled", "e2"))\(Self.flows("hazard", "e3"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(sim.path.contains("e3"))
        #expect(events(sim, "compensating").isEmpty)
        #expect(sim.state?.variables["undone_a"] == nil)
    }

    /// §13.5.5: with nothing completed to compensate, the throw event moves straight on.
    @Test func aThrowWithNothingToCompensateMovesOn() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/><intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            \(Self.script("a", "aDone"))\(Self.handler("a"))<endEvent id="e"/>\(Self.flows("s", "t", "a", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensating").isEmpty, "a completes after the throw: nothing was compensated")
    }

    /// §10.6.5 (compensation thrown in an event sub-process): it compensates the scope around the
    /// event sub-process — here the process, after an interrupting error event sub-process ended
    /// the rest of it; the activities that completed before the error are compensated.
    @Test func anErrorEventSubProcessCompensatesTheProcess() async throws {
        let sim = try await run(Self.head + """
          <error id="err" errorCode="BOOM"/>
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("a", "aDone"))\(Self.handler("a"))\(Self.script("b", "bDone"))\(Self.handler("b"))
            <endEvent id="fail"><errorEventDefinition errorRef="err"/></endEvent>\(Self.flows("s", "a", "b", "fail"))
            <subProcess id="onError" triggeredByEvent="true">
              <startEvent id="es"><errorEventDefinition errorRef="err"/></startEvent>
              <endEvent id="undoAll"><compensateEventDefinition/></endEvent>\(Self.flows("es", "undoAll"))
            </subProcess>
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensated") == ["b", "a"])
    }

    /// A handler is an activity like any other: its boundary events are armed while it runs (here
    /// a timer that gives up on a refund nobody approves); the compensation ends when its path does.
    @Test func aHandlersBoundaryEventIsArmed() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>\(Self.script("a", "aDone"))
            <boundaryEvent id="a_comp" attachedToRef="a"><compensateEventDefinition/></boundaryEvent>
            <userTask id="approveRefund" isForCompensation="true"/><association id="as" sourceRef="a_comp" targetRef="approveRefund"/>
            <boundaryEvent id="noAnswer" attachedToRef="approveRefund"><timerEventDefinition><timeDuration>PT1H</timeDuration>
              </timerEventDefinition></boundaryEvent>\(Self.script("gaveUp", "refundAbandoned"))
            <intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "a", "t", "e"))\(Self.flows("noAnswer", "gaveUp"))
          </process></definitions>
          """)
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["refundAbandoned"] == true)
        #expect(events(sim, "compensated") == ["a"])
    }

    /// Handlers that are jobs (Zeebe service tasks) get their input mappings over the variables of
    /// their activity's completion: each parallel instance's own item, the last completed first.
    @Test func jobHandlersGetTheSnapshotInTheirInputs() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <serviceTask id="book"><extensionElements><zeebe:taskDefinition type="book"/></extensionElements>
              <multiInstanceLoopCharacteristics><extensionElements>
                <zeebe:loopCharacteristics inputCollection="=[&quot;LH1&quot;, &quot;LH2&quot;]" inputElement="flight"/>
              </extensionElements></multiInstanceLoopCharacteristics></serviceTask>
            <boundaryEvent id="book_comp" attachedToRef="book"><compensateEventDefinition/></boundaryEvent>
            <serviceTask id="cancel" isForCompensation="true"><extensionElements><zeebe:taskDefinition type="cancel-booking"/>
              <zeebe:ioMapping><zeebe:input source="=flight" target="flight"/></zeebe:ioMapping></extensionElements></serviceTask>
            <association id="as" sourceRef="book_comp" targetRef="cancel"/>
            <endEvent id="e"><compensateEventDefinition/></endEvent>\(Self.flows("s", "book", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        let cancelled = sim.effects.filter { $0.action == "cancel-booking" }.map { $0.payload[member: "flight"] }
        #expect(cancelled == ["LH2", "LH1"])
    }

    /// §13.5.5 with multi-instance: each completed instance of a multi-instance sub-process is
    /// compensated by default on its own, the last completed first, its inner handler seeing that
    /// instance's item.
    @Test func eachInstanceOfAMultiInstanceSubProcessIsCompensated() async throws {
        let sim = try await run(Self.head + """
          <process id="p" isExecutable="true">
            <startEvent id="s"/>
            <subProcess id="sub">
              <multiInstanceLoopCharacteristics isSequential="true"><extensionElements>
                <zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item"/>
              </extensionElements></multiInstanceLoopCharacteristics>
              <startEvent id="ss"/>\(Self.script("a", "aDone"))\(Self.handler("a", "item"))<endEvent id="se"/>
              \(Self.flows("ss", "a", "se"))
            </subProcess>
            <intermediateThrowEvent id="t"><compensateEventDefinition/></intermediateThrowEvent>
            <endEvent id="e"/>\(Self.flows("s", "sub", "t", "e"))
          </process></definitions>
          """)
        #expect(sim.statusWord == "completed")
        #expect(events(sim, "compensated") == ["a", "sub", "a", "sub"])
        #expect(sim.state?.variables["undone_a"] == 1, "the instance of item 2 was undone first, then item 1's")
        #expect(sim.state?.variables["item"] == nil, "the item stays local to the handler")
    }
}
