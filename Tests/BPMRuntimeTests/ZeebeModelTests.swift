import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

let zeebeDir = repoRoot.appendingPathComponent("../shared/conformance/bpmn-exec/zeebe")

func zeebeModel(_ name: String) throws -> ProcessDefinition {
    try DefinitionLoader.load(path: zeebeDir.appendingPathComponent("\(name).bpmn").path).0
}

/// An in-process job worker: records each job and completes it with the given output.
func worker(_ outputs: [String: [String: Value]] = [:]) -> RecordingConnector {
    let r = RecordingConnector()
    for (type, out) in outputs { r.respond(type, with: out) }
    return r
}

@Suite struct ZeebeModelTests {
    func run(_ name: String, variables: [String: Value] = [:], worker w: RecordingConnector = worker()) async throws -> Simulation {
        let sim = try await Simulation(definition: try zeebeModel(name), connectors: ConnectorRegistry(fallback: w), start: simStart)
        await sim.start(variables: variables)
        await sim.runTimers()
        return sim
    }

    @Test func startEnd() async throws {
        let sim = try await run("start-end")
        #expect(sim.statusWord == "completed")
    }

    @Test func helloWorld() async throws {
        let w = worker()
        let sim = try await run("hello-world", worker: w)
        #expect(sim.statusWord == "completed")
        #expect(w.calls.count == 1)
    }

    @Test(arguments: [true, false]) func conditionalPathway(condition: Bool) async throws {
        let w = worker()
        let sim = try await run("conditional-pathway", variables: ["conditionVariable": .bool(condition)], worker: w)
        #expect(sim.statusWord == "completed")
        #expect(w.calls.map(\.action) == ["wait", condition ? "pathA" : "pathB"])
    }

    @Test func loopingServiceTaskLoopsUntilTheCount() async throws {
        let w = worker()
        let sim = try await run("looping-servicetask", variables: ["totalLoops": 5], worker: w)
        #expect(sim.statusWord == "completed")
        #expect(w.calls.count == 5)
        #expect(sim.state?.variables["loopAmount"] == 5)
    }

    @Test func multipleTasksInParallel() async throws {
        let w = worker()
        let sim = try await run("multiple-tasks", worker: w)
        #expect(sim.statusWord == "completed")
        #expect(w.calls.count == 3)
        #expect(sim.state?.variables["loopAmount"] == 1)
    }

    @Test func timerEventsOnParallelBranches() async throws {
        let w = worker()
        let sim = try await run("test_timer_events", worker: w)
        #expect(sim.statusWord == "completed")
        #expect(w.calls.map(\.action) == ["SimpleLog01"])
        // the fast branch ends in a terminate end event after 1 s, ending the 30-day wait too
        #expect(sim.now == simStart + 1)
        let ends = sim.history.filter { $0.elementType == "endEvent" && $0.event == "completed" }.map(\.elementId)
        #expect(ends == ["EndEvent_FastFlow"])
        #expect(sim.history.contains { $0.elementId == "TimerEvent_Wait30d" && $0.event == "terminated" })
        #expect(sim.timers.isEmpty)
    }

    @Test func zeebeUserTask() async throws {
        let sim = try await run("zeebe-user-task")
        #expect(sim.statusWord == "waiting")
        let task = try #require(sim.openTasks.first)
        await sim.completeTask(task.id, variables: ["done": true])
        #expect(sim.statusWord == "completed")
    }

    @Test func peerBenchmarkModelsRecordForeignScripts() async throws {
        let def = try DefinitionLoader.load(path: repoRoot.appendingPathComponent("../shared/peer/bench_xor.bpmn").path).0
        let w = RecordingConnector()
        let sim = try await Simulation(definition: def, connectors: ConnectorRegistry(fallback: w), start: simStart)
        await sim.start(variables: [:])
        #expect(sim.statusWord == "completed")
        #expect(sim.effects.first?.action == "script")
        #expect(sim.effects.first?.payload == ["format": "python", "body": "x = 1"])
        // with no handler registered, a foreign script is an incident naming its format
        let strict = try await Simulation(definition: def, connectors: ConnectorRegistry(), start: simStart)
        await strict.start(variables: [:])
        #expect(strict.state?.incidents.first?.message == "no script handler registered for script format 'python'")
    }
}
