import BPMTestSupport
import Foundation
import Testing

/// The real Camunda 8 Python SDK (camunda-orchestration-sdk 9.0.1, from `scripts/install-deps.sh --test` in
/// .build/venv-camunda) against a live `bpm serve` over REST v2: deploy, instances with variables, two workers (one
/// completes, one throws a BPMN error a boundary catches), a message published before its instance waits (TTL),
/// a correlated message, a signal, user tasks, a cancel, a job failed to an incident and resolved; the script checks
/// every step against our own API (camunda-rest/sdk_test.py).
@Suite(.serialized) struct CamundaSDKTests {
    static let tokens = """
    admin-token-0123456789abcdef    user=alice roles=admin,operator groups=sales
    reserve-token-0123456789abcdef  user=reserver roles=worker job_types=reserve
    charge-token-0123456789abcdef   user=charger roles=worker job_types=charge
    """
    static let python = repoRoot.appendingPathComponent(".build/venv-camunda/bin/python").path
    static let script = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda-rest/sdk_test.py").path

    func runSDK(storeURL: String?) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw TestFailure("no \(Self.python): run scripts/install-deps.sh --test")
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokens")
        try Self.tokens.write(to: file, atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"),
                                definitions: try subfolder("defs", of: dir),
                                extra: ["--auth-tokens", file.path], storeURL: storeURL,
                                stderr: dir.appendingPathComponent("server.log"))
        defer { server.kill(SIGTERM) }
        let r = try await Spawned.completion(of: [Self.python, Self.script, server.base, "admin-token-0123456789abcdef",
                                                  "reserve-token-0123456789abcdef", "charge-token-0123456789abcdef"])
        print(r.output)
        let log = (try? String(contentsOf: dir.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        #expect(r.status == 0 && r.output.contains("ALL OK"), "\(r.output)\nserver log:\n\(log.suffix(4000))")
    }

    @Test(.timeLimit(.minutes(5))) func theCamundaPythonSDKRunsOrdersOnSQLite() async throws {
        try await runSDK(storeURL: nil)
    }

    @Test(.timeLimit(.minutes(5))) func theCamundaPythonSDKRunsOrdersOnPostgreSQL() async throws {
        let url = try TestPostgres.server().createDatabase("camunda_sdk")
        try await runSDK(storeURL: url)
    }
}
