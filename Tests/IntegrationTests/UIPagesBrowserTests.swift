import BPMTestSupport
import Foundation
import Testing

/// The task inbox in a real browser: every example with user tasks driven to each of its ends,
/// sorting, assignment, Camunda Forms and variables on a task without a form.
extension UIBrowserTests {
    @Test(.timeLimit(.minutes(8))) func inARealBrowserEveryExampleIsDrivenToItsEndsFromTheInbox() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let examples = repoRoot.appendingPathComponent("examples")
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: examples,
                                extra: ["--dry-run", "--clock-control"])
        defer { server.kill(SIGTERM) }
        let out = try await runScript("tasklist_test.py", [server.base])
        #expect(out.contains("ok   approval: escalated after 48 h, approved by a director"))
        #expect(out.contains("ok   JSON variables complete the task"))
    }
}

/// The list pages in a real browser follow API changes without a reload, pushed by the commits.
extension UIBrowserTests {
    @Test(.timeLimit(.minutes(3))) func inARealBrowserTheListsUpdateWithoutAReload() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try OperationsTests.waiter.write(to: defs.appendingPathComponent("waiter.yaml"), atomically: true,
                                         encoding: .utf8)
        try AuthTests.payment.write(to: defs.appendingPathComponent("payment.bpmn"), atomically: true, encoding: .utf8)
        // the fallback poll (for other replicas' changes) is a minute: what arrives sooner was pushed
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs,
                                extra: ["--live-poll", "60"])
        defer { server.kill(SIGTERM) }
        let out = try await runScript("live_test.py", [server.base])
        #expect(out.contains("ok   the incident list shows a new incident without a reload"))
    }
}

/// Monitoring in a real browser: an element's waiting instances, the heat map, an instance's
/// timers and jobs, and its parent and called instances.
extension UIBrowserTests {
    @Test(.timeLimit(.minutes(3))) func inARealBrowserTheDiagramListsWaitingInstancesAndShowsAHeatMap() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        for name in ["parent.bpmn", "child.bpmn"] {
            let source = repoRoot.appendingPathComponent("Tests/IntegrationTests/browser/forms/\(name)")
            try FileManager.default.copyItem(at: source, to: defs.appendingPathComponent(name))
        }
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs,
                                extra: ["--clock-control"])
        defer { server.kill(SIGTERM) }
        let out = try await runScript("monitor_test.py", [server.base])
        #expect(out.contains("ok   two children still wait at the job"))
    }
}
