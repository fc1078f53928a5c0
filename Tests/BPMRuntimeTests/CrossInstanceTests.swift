import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Instances that lead to others, on the runtime (through simulated runs).
@Suite struct CrossInstanceTests {
    /// Cancelling a parent terminates the instance its call activity waits for.
    @Test func cancellingTheParentTerminatesItsChild() async throws {
        let source = try String(contentsOf: repoRoot.appendingPathComponent("bpmn-examples/device-commissioning.bpmn"), encoding: .utf8)
        let sim = try await Simulation(files: [(source, "device-commissioning.bpmn")], process: "commission-device",
                                       connectors: ConnectorRegistry(fallback: RecordingConnector()), start: simStart)
        await sim.start(variables: ["device_id": "hp9"])
        #expect(sim.others.map(\.status) == [.running])
        await sim.apply(.cancel(reason: "not needed"))
        #expect(sim.statusWord == "terminated")
        #expect(sim.others.map(\.status) == [.terminated])
        #expect(sim.openTasks.isEmpty, "the child's user task is cancelled with it")
    }
}
