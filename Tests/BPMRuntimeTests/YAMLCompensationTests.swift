import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Compensation in the YAML DSL: `compensate_with` gives an activity its handler inline, a
/// `compensate` activity throws compensation (BPMN 2.0.2 §10.6.5, §13.5.5) — the same engine
/// semantics as the BPMN tests in `CompensationTests`.
@Suite struct YAMLCompensationTests {
    static let model = """
    id: trip
    activities:
      - id: book_hotel
        type: script
        set: {price: 100}
        compensate_with: {type: script, set: {refund: price}}
      - id: book_car
        type: script
        set: {cars: 1}
        compensate_with: {type: script, set: {cars: cars - 1}}
      - id: raise
        type: script
        set: {price: 250}
      - id: undo
        type: compensate
      - id: after
        type: script
        set: {done: true}
    """

    func run(_ yaml: String) async throws -> Simulation {
        let def = try DefinitionLoader.parse(source: yaml, file: "m.yaml")
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: [:])
        return sim
    }

    /// §13.5.5: the last completed first; each handler sees the variables of its activity's
    /// completion, and what it changes of them is kept.
    @Test func compensateUndoesTheCompletedActivitiesInReverse() async throws {
        let sim = try await run(Self.model)
        #expect(sim.statusWord == "completed")
        #expect(sim.history.filter { $0.event == "compensated" }.map(\.elementId) == ["book_car", "book_hotel"])
        #expect(sim.state?.variables["refund"] == 100)
        #expect(sim.state?.variables["cars"] == 0, "the handler's change to a variable it was given is kept")
        #expect(sim.state?.variables["done"] == true)
    }

    @Test func compensateWithActivityUndoesOnlyThatOne() async throws {
        let sim = try await run(Self.model.replacingOccurrences(of: "type: compensate", with: "type: compensate\n    activity: book_hotel"))
        #expect(sim.history.filter { $0.event == "compensated" }.map(\.elementId) == ["book_hotel"])
        #expect(sim.state?.variables["cars"] == 1)
    }

    @Test func misusedCompensationIsRefusedWithItsLocation() throws {
        func refusal(_ yaml: String) -> [String] {
            do { _ = try YAMLDefinitionReader.read(source: yaml, file: "m.yaml"); return [] } catch { return error.errors.map(\.description) }
        }
        let unknown = refusal(Self.model.replacingOccurrences(of: "type: compensate", with: "type: compensate\n    activity: nope"))
        #expect(unknown.contains { $0.contains("compensation event 'undo' compensates unknown activity 'nope'") }, "\(unknown)")
        let withNext = refusal(Self.model.replacingOccurrences(of: "{type: script, set: {refund: price}}",
                                                               with: "{type: script, set: {refund: price}, next: raise}"))
        #expect(withNext.contains { $0.hasPrefix("m.yaml:6:") && $0.contains("cannot have 'next'") }, "\(withNext)")
        let notATask = refusal("id: p\nactivities:\n  - id: x\n    type: join\n    compensate_with: {type: script, set: {a: 1}}\n")
        #expect(notATask.contains { $0.contains("compensate_with applies to tasks") }, "\(notATask)")
    }
}
