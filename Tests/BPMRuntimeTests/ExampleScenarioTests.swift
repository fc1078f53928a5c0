import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let simStart = Date(timeIntervalSince1970: 1_800_000_000)

func example(_ name: String) throws -> ProcessDefinition {
    try DefinitionLoader.load(path: repoRoot.appendingPathComponent("examples/\(name).yaml").path).0
}

/// A simulation of an example with a recording connector for every action.
func simulation(_ name: String, _ configure: (RecordingConnector) -> Void = { _ in }) async throws -> (Simulation, RecordingConnector) {
    let recorder = RecordingConnector()
    configure(recorder)
    return (try await Simulation(definition: try example(name), connectors: ConnectorRegistry(fallback: recorder), start: simStart), recorder)
}

func telemetry(_ device: String, _ temp: Double) -> Value {
    ["name": "heatpump", "tags": ["device_id": .string(device)], "fields": ["flow_temp_c": .number(temp)], "timestamp": "2026-11-26T10:00:00Z"]
}

extension Simulation {
    var actions: [String] { effects.map(\.action) }
}

/// The plan's test scenarios live beside the examples as `*.test.yaml` (run by `bpm test` and
/// by `ProcessTestFileTests`); these check what a scenario file cannot state: times on the
/// simulated clock and the history's events.
@Suite struct ExampleTimingScenarios {
    func registration(_ id: String, model: String? = "HP-200", firmware: Double = 3) -> Value {
        var fields: [String: Value] = ["firmware": .number(firmware), "owner_email": "owner@example.com"]
        if let model { fields["model"] = .string(model) }
        return ["name": "device_registered", "tags": ["device_id": .string(id)], "fields": .context(fields)]
    }

    @Test func networkFailureDuringProvisioningIsRetriedWithBackoff() async throws {
        let (sim, recorder) = try await simulation("device-onboarding") { $0.fail("http", times: 2, message: "connection refused") }
        await sim.deliver(event: registration("dev-4"))
        #expect(sim.statusWord == "waiting")  // waiting for the retry backoff
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
        #expect(recorder.calls.filter { $0.action == "http" }.map(\.attempt) == [1, 2, 3])
        #expect(sim.now == simStart + 2 + 4)  // backoff 2s, then 4s
    }

    @Test func duplicateRegistrationJoinsTheRunningOnboarding() async throws {
        let (sim, _) = try await simulation("device-onboarding") { $0.fail("http", message: "registry down") }
        await sim.deliver(event: registration("dev-6"))
        await sim.deliver(event: registration("dev-6", firmware: 4))
        #expect(sim.history.filter { $0.event == "started" }.count == 1)
        #expect(sim.history.contains { $0.event == "correlated" })
        #expect(sim.state?.variables["firmware"] == 4)
    }

    func request(_ amount: Double) -> Value {
        ["tags": ["request_id": "r1"], "fields": ["amount": .number(amount), "requester": "ann@example.com", "action": "buy pump"]]
    }

    @Test func approvalTimeoutEscalates() async throws {
        let (sim, _) = try await simulation("approval")
        await sim.deliver(event: request(500))
        await sim.runTimers()
        #expect(sim.now == simStart + 48 * 3600)
        #expect(sim.history.contains { $0.elementId == "wait_for_approval" && $0.event == "terminated" })
        let director = try #require(sim.openTasks.first)
        #expect(director.candidateGroups == ["directors"])
        await sim.completeTask(director.id, variables: ["approved": true])
        #expect(sim.state?.variables["request_status"] == "approved")
    }
}
