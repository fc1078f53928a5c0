import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Ad-hoc sub-processes as Camunda 8.7+ runs them (Camunda docs "Ad-hoc sub-processes":
/// Activate an element, Completion, Collect output; BPMN 2.0.2 §10.3.5), on the production
/// runtime (Simulation: a temporary store, a simulated clock, a connector sandbox).
@Suite struct AdHocSubProcessTests {
    /// A process `s → a → e` around the ad-hoc sub-process `a` with the given settings and
    /// inner elements: service tasks `A` (job type `a`) and `C` (`c`), user task `B` by default.
    static func model(_ attributes: String = "", adHoc: String = #"activeElementsCollection="=tools""#,
                      condition: String? = nil, inner: String? = nil) -> String
    {
        let tasks = inner ?? """
            <serviceTask id="A"><extensionElements><zeebe:taskDefinition type="a"/></extensionElements></serviceTask>
            <userTask id="B"/>
            <serviceTask id="C"><extensionElements><zeebe:taskDefinition type="c"/></extensionElements></serviceTask>
        """
        return """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="p" isExecutable="true">
            <startEvent id="s"/><endEvent id="e"/>
            <adHocSubProcess id="a"\(attributes)>
              <extensionElements><zeebe:adHoc \(adHoc)/></extensionElements>
              \(tasks)
              \(condition.map { "<completionCondition>\($0)</completionCondition>" } ?? "")
            </adHocSubProcess>
            <sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="e"/>
          </process>
        </definitions>
        """
    }

    func run(_ xml: String, _ variables: [String: Value], connector: RecordingConnector = RecordingConnector())
        async throws -> Simulation
    {
        let def = try DefinitionLoader.parse(source: xml, file: "m.bpmn")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: connector),
                                       start: simStart)
        await sim.start(variables: variables)
        return sim
    }

    func activated(_ sim: Simulation) -> [String] {
        sim.history.filter { $0.event == "activated" && ["A", "B", "C"].contains($0.elementId) }.map(\.elementId)
    }

    /// "evaluates the expression activeElementsCollection and activates all elements whose
    /// element IDs are in the list"; without a completion condition the sub-process completes
    /// "after all activated elements are completed".
    @Test func activatesTheNamedElementsAndCompletesWhenTheyAreDone() async throws {
        let sim = try await run(Self.model(), ["tools": ["A", "C"]])
        #expect(activated(sim) == ["A", "C"])
        #expect(sim.effects.map(\.action) == ["a", "c"])
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["s", "A", "C", "a", "e"])
        let waits = try await run(Self.model(), ["tools": ["A", "B"]])
        #expect(waits.statusWord == "waiting", "B is still open")
        let task = try #require(waits.openTasks.first)
        await waits.completeTask(task.id, variables: [:])
        #expect(waits.statusWord == "completed")
    }

    /// "If the list is empty or the expression is not defined, no element is activated and the
    /// ad-hoc sub-process remains active" — also after the stored state is read back.
    @Test func anEmptyListOrNoExpressionActivatesNothingAndStaysActive() async throws {
        for (adHoc, vars) in [(#"activeElementsCollection="=tools""#, ["tools": Value.list([])]), ("", [:])] {
            let sim = try await run(Self.model(adHoc: adHoc), vars)
            #expect(activated(sim).isEmpty)
            #expect(sim.statusWord == "waiting")
            #expect(sim.state?.tokens.map(\.elementId) == ["a"])
            await sim.apply(.setVariables(["x": 1]))
            #expect(sim.statusWord == "waiting" && sim.state?.tokens.map(\.elementId) == ["a"])
        }
    }

    /// "If the expression doesn't evaluate to a list of strings, or the list contains other
    /// values than inner element IDs, the process instance creates an incident." An element
    /// with an incoming flow is not activatable.
    @Test func aValueThatIsNotAListOfInnerIdsIsAnIncident() async throws {
        let chained = """
            <task id="A"/><task id="B"/><sequenceFlow id="i" sourceRef="A" targetRef="B"/>
        """
        let cases: [(String?, Value, String)] = [
            (nil, "A", "is \"A\", not a list of element ids"),
            (nil, ["A", "Z"], "names \"Z\", which is not an inner element of 'a' without incoming flows (A, B, C)"),
            (nil, [1], "names 1, which is not an inner element of 'a' without incoming flows (A, B, C)"),
            (chained, ["B"], "names \"B\", which is not an inner element of 'a' without incoming flows (A)"),
        ]
        for (inner, tools, message) in cases {
            let sim = try await run(Self.model(inner: inner), ["tools": tools])
            #expect(sim.statusWord == "waiting")
            #expect(sim.state?.incidents.map(\.message) == ["the active elements collection of 'a' (tools) \(message)"])
            #expect(activated(sim).isEmpty)
        }
    }

    /// Inner elements connected by a sequence flow run as a structured sequence.
    @Test func anActivatedElementContinuesOnItsInnerFlows() async throws {
        let inner = """
            <task id="A"/><task id="B"/><task id="C"/><sequenceFlow id="i" sourceRef="A" targetRef="B"/>
        """
        let sim = try await run(Self.model(inner: inner), ["tools": ["A"]])
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["s", "A", "B", "a", "e"])
    }

    /// Completion: "If the expression evaluates to true after completing an inner element, the
    /// ad-hoc sub-process is completed"; with cancelRemainingInstances true (the default) "all
    /// remaining active instances of inner elements are terminated".
    @Test func aTrueCompletionConditionEndsTheRemainingElements() async throws {
        let connector = RecordingConnector()
        connector.respond("a", with: ["enough": true])
        let sim = try await run(Self.model(condition: "=enough = true"), ["tools": ["B", "A"]], connector: connector)
        #expect(sim.statusWord == "completed")
        #expect(sim.history.contains { $0.elementId == "B" && $0.event == "terminated" })
        #expect(sim.openTasks.isEmpty)
        #expect(sim.path == ["s", "A", "a", "e"])
    }

    /// "If set to false, the ad-hoc sub-process waits for the completion of all active instances
    /// before completing."
    @Test func withoutCancellingTheSubProcessWaitsForTheRemainingElements() async throws {
        let connector = RecordingConnector()
        connector.respond("a", with: ["enough": true])
        let sim = try await run(Self.model(#" cancelRemainingInstances="false""#, condition: "=enough"),
                                ["tools": ["B", "A"]], connector: connector)
        #expect(sim.statusWord == "waiting")
        #expect(sim.history.contains { $0.elementId == "a" && $0.event == "completion_condition_met" })
        let task = try #require(sim.openTasks.first)
        await sim.completeTask(task.id, variables: [:])
        #expect(sim.statusWord == "completed")
        #expect(!sim.history.contains { $0.event == "terminated" })
    }

    /// A false condition after each completion: the sub-process completes when nothing is left.
    @Test func aConditionThatNeverHoldsCompletesWhenNothingIsLeft() async throws {
        let sim = try await run(Self.model(condition: "=false"), ["tools": ["A", "C"]])
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["s", "A", "C", "a", "e"])
    }

    /// Input mappings "are applied on activating the ad-hoc sub-process and before evaluating
    /// the expression activeElementsCollection".
    @Test func inputMappingsComeBeforeTheCollection() async throws {
        let xml = Self.model().replacingOccurrences(
            of: "<extensionElements>",
            with: #"<extensionElements><zeebe:ioMapping><zeebe:input source="=[&quot;C&quot;]" target="tools"/>"#
                + "</zeebe:ioMapping>")
        let sim = try await run(xml, [:])
        #expect(activated(sim) == ["C"])
        #expect(sim.statusWord == "completed")
    }

    /// Camunda's example form: a collection from a variable, service tasks with job types, an
    /// inner flow to a user task, and the output of each inner flow collected (Collect output).
    @Test func theCamundaExampleModelRunsAndCollectsItsOutputs() async throws {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/camunda8/ad-hoc-checks.bpmn").path
        let connector = RecordingConnector()
        connector.respond("credit-check", with: ["checkName": "credit", "passed": true])
        connector.respond("fraud-check", with: ["checkName": "fraud", "passed": false])
        let file = (try String(contentsOfFile: path, encoding: .utf8), path)
        let sim = try await Simulation(files: [file], process: nil, connectors: ConnectorRegistry(fallback: connector),
                                       start: simStart)
        await sim.start(variables: ["customerId": "C-1", "selectedChecks": ["CreditCheck", "FraudCheck"]])
        #expect(sim.statusWord == "completed")
        #expect(sim.effects.map(\.action) == ["credit-check", "fraud-check"])
        #expect(sim.effects.first?.payload[member: "customer"] == "C-1")
        #expect(sim.state?.variables["checkResults"] == [["check": "credit", "passed": true],
                                                          ["check": "fraud", "passed": false]])
        let plain = ConnectorRegistry(fallback: RecordingConnector())
        let review = try await Simulation(files: [file], process: nil, connectors: plain, start: simStart)
        await review.start(variables: ["selectedChecks": ["AddressCheck"]])
        #expect(review.statusWord == "waiting" && review.openTasks.map(\.elementId) == ["ReviewAddress"])
    }
}
