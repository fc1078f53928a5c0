import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation
import Testing

/// Instances that set each other off without waiting are bounded like a loop in one instance,
/// while a wide fan-out of deliveries is not mistaken for a loop.
@Suite struct RoutingBoundTests {
    /// `starter` throws signal `go`; `echo` starts on `go` and throws `go` again: each instance
    /// starts the next, in one step, for ever. `plain` waits on a user task.
    static var echoModel: String {
        get throws {
            try String(contentsOf: repoRoot.appendingPathComponent("Tests/Fixtures/signal-echo.bpmn"), encoding: .utf8)
        }
    }

    /// A start that sets off an endless chain of instances fails, names the signal it loops
    /// through, and writes nothing; a start applied beside it (possibly in the same batch) is
    /// written as usual.
    @Test func aLoopThroughOtherInstancesIsRefusedAndWritesNothing() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: try Self.echoModel, file: "signal-echo.bpmn")
        async let looping: InstanceState = h.runtime.startInstance("starter")
        async let plain: InstanceState = h.runtime.startInstance("plain")
        let fine = try await plain
        #expect(fine.status == .running)
        do {
            _ = try await looping
            Issue.record("the looping start was applied")
        } catch let e as Runtime.RuntimeError {
            guard case .runaway(let why) = e else { Issue.record("unexpected \(e)"); return }
            #expect(why.contains("more than \(Limits.active.steps) rounds of deliveries"))
            #expect(why.contains("the processes loop through signal 'go'"))
        }
        // nothing of the looping start is stored: only the plain instance exists
        #expect(try await h.store.countInstances(status: nil) == 1)
        #expect(try await h.store.instance(fine.id)?.status == .running)
    }
}
