import BPMTestSupport
import Foundation
import Testing

/// schemathesis (PyPI) against a live `bpm serve` with authentication on: it generates
/// requests from the served OpenAPI document — valid ones, invalid ones, and sequences that
/// follow the API's links — and checks every answer: no 5xx, no status or body the document
/// does not declare, invalid input refused, valid input accepted (4xx that are domain
/// answers — 404 unknown, 409 wrong state, 422 a definition or value that cannot be used —
/// count as accepted). `BPM_SCHEMATHESIS_EXAMPLES` sets the examples per operation (default
/// 100), `BPM_SCHEMATHESIS_SEED` the seed (default: a new one, printed).
@Suite(.serialized) struct SchemathesisTests {
    @Test(.timeLimit(.minutes(15))) func schemathesisFindsNoFailure() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        for f in try FileManager.default.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("examples").path) where !f.hasSuffix(".test.yaml") {
            try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("examples/\(f)"), to: defs.appendingPathComponent(f))
        }
        let token = "schemathesis-admin-token-0123456789"
        try "\(token) user=st roles=admin,worker\n".write(to: dir.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                                extra: ["--auth-tokens", dir.appendingPathComponent("tokens").path, "--max-long-poll", "0.2", "--no-watch"],
                                stderr: dir.appendingPathComponent("serve.log"))
        defer { server.kill(SIGTERM) }
        try """
        [checks.positive_data_acceptance]
        expected-statuses = ["2XX", "401", "403", "404", "409", "422"]
        """.write(to: dir.appendingPathComponent("schemathesis.toml"), atomically: true, encoding: .utf8)
        let env = ProcessInfo.processInfo.environment
        let examples = env["BPM_SCHEMATHESIS_EXAMPLES"] ?? "100"
        let seed = env["BPM_SCHEMATHESIS_SEED"] ?? String(Int.random(in: 1...1_000_000))
        let r = try await Spawned.completion(of: ["python3", "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; schemathesis()",
                                 "--config-file", dir.appendingPathComponent("schemathesis.toml").path,
                                 "run", "\(server.base)/openapi.json", "-H", "Authorization: Bearer \(token)",
                                 "--checks", "all", "--max-examples", examples, "--seed", seed, "--no-color"], directory: dir.path)
        let summary = r.output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("ST") || $0.contains("Error") || $0.contains("Seed") }
        print("schemathesis (seed \(seed), \(examples) examples per operation): " + summary.joined(separator: " | "))
        #expect(r.status == 0, "schemathesis found failures (seed \(seed)):\n\(r.output.suffix(6000))")
        #expect(r.output.contains(" passed"), "no pass count in:\n\(r.output.suffix(2000))")
        let log = (try? String(contentsOf: dir.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
        #expect(!log.contains("Fatal error"), "the server crashed:\n\(log.suffix(3000))")
        #expect(try await http("GET", "\(server.base)/health/live").status == 200, "the server is still up")
    }
}
