import BPMExpressions
import Foundation
import JWTKit
import Testing

/// `bpm serve` with API tokens and HS256 JWTs: each role may do exactly its actions, task
/// work is for assignees and candidates, workers for their job types.
@Suite(.serialized) struct AuthTests {
    static let tokens = """
    # token                           who and what
    viewer-token-0123456789abcdef     user=vera roles=viewer groups=finance
    operator-token-0123456789abcdef   user=otto roles=operator
    admin-token-0123456789abcdef      user=ada roles=admin
    worker-token-0123456789abcdef     user=wim roles=worker job_types=charge-card
    other-token-0123456789abcdef      user=olga roles=viewer groups=sales
    """
    static let secret = "a-shared-secret-of-at-least-32-bytes!"

    static let process = """
    id: guarded
    activities:
      - {id: approve, type: user, candidate_groups: [finance]}
    """
    /// Two jobs for external workers.
    static let payment = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
      <process id="payment" isExecutable="true">
        <startEvent id="s"/>
        <serviceTask id="charge"><extensionElements><zeebe:taskDefinition type="charge-card"/></extensionElements></serviceTask>
        <serviceTask id="ship"><extensionElements><zeebe:taskDefinition type="ship-parcel"/></extensionElements></serviceTask>
        <endEvent id="e"/>
        <sequenceFlow id="a" sourceRef="s" targetRef="charge"/>
        <sequenceFlow id="b" sourceRef="charge" targetRef="ship"/>
        <sequenceFlow id="c" sourceRef="ship" targetRef="e"/>
      </process>
    </definitions>
    """

    func server(_ dir: URL, extra: [String] = []) throws -> Server {
        let defs = try subfolder("defs", of: dir)
        try Self.process.write(to: defs.appendingPathComponent("guarded.yaml"), atomically: true, encoding: .utf8)
        try Self.payment.write(to: defs.appendingPathComponent("payment.bpmn"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("tokens")
        try Self.tokens.write(to: file, atomically: true, encoding: .utf8)
        return try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                          extra: ["--auth-tokens", file.path, "--jwt-secret", Self.secret, "--jwt-issuer", "https://id.example"] + extra)
    }

    @Test func eachRoleMayDoExactlyItsActions() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try server(dir)
        defer { s.kill(SIGTERM) }
        let (viewer, op, admin, worker, other) = ("viewer-token-0123456789abcdef", "operator-token-0123456789abcdef", "admin-token-0123456789abcdef",
                                                  "worker-token-0123456789abcdef", "other-token-0123456789abcdef")
        // no credentials, or unknown ones: 401 with a challenge; health and the API document stay open
        let anonymous = try await http("GET", "\(s.base)/processes")
        #expect(anonymous.status == 401 && anonymous.body[member: "type"] == "urn:swift-bpm:problem:unauthenticated")
        #expect(try await http("GET", "\(s.base)/processes", token: "nope-nope-nope-nope").status == 401)
        #expect(try await http("GET", "\(s.base)/health/live").status == 200)
        #expect(try await http("GET", "\(s.base)/openapi.json").status == 200)

        // viewer: reads, but starts nothing
        #expect(try await http("GET", "\(s.base)/processes", token: viewer).status == 200)
        let refused = try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", token: viewer)
        #expect(refused.status == 403)
        #expect(refused.body[member: "detail"] == "POST /processes/guarded/start needs the role operator; vera has viewer")
        // operator: starts and cancels, deploys nothing
        let started = try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", token: op)
        #expect(started.status == 201)
        let id = try #require(started.body[member: "id"].stringValue)
        #expect(try await http("POST", "\(s.base)/definitions?file=x.yaml", body: "id: x\nactivities:\n  - {id: a, type: script, set: {a: 1}}\n",
                               contentType: "application/yaml", token: op).status == 403)
        // admin: deploys (and may do what operators and viewers do)
        #expect(try await http("POST", "\(s.base)/definitions?file=x.yaml", body: "id: x\nactivities:\n  - {id: a, type: script, set: {a: 1}}\n",
                               contentType: "application/yaml", token: admin).status == 201)
        #expect(try await http("GET", "\(s.base)/processes/\(id)", token: admin).status == 200)
        // a worker handles jobs, and nothing else
        #expect(try await http("GET", "\(s.base)/processes", token: worker).status == 403)
        #expect(try await http("POST", "\(s.base)/jobs/activate", body: #"{"type": "charge-card"}"#, token: op).status == 403)

        // the user task is for group finance: olga (sales) may not complete it, vera (finance) may
        let task = try #require(try await http("GET", "\(s.base)/tasks?instanceId=\(id)", token: viewer).body[member: "items"].listValue?.first)
        let taskId = try #require(task[member: "id"].stringValue)
        let notCandidate = try await http("POST", "\(s.base)/tasks/\(taskId)/complete", body: "{}", token: other)
        #expect(notCandidate.status == 403)
        #expect(notCandidate.body[member: "type"] == "urn:swift-bpm:problem:not-a-candidate")
        #expect(try await http("POST", "\(s.base)/tasks/\(taskId)/claim", body: #"{"user": "olga"}"#, token: viewer).status == 403, "a claim is for oneself")
        #expect(try await http("POST", "\(s.base)/tasks/\(taskId)/claim", body: "{}", token: viewer).status == 200)
        #expect(try await http("POST", "\(s.base)/tasks/\(taskId)/complete", body: "{}", token: other).status == 403, "claimed by vera now")
        #expect(try await http("POST", "\(s.base)/tasks/\(taskId)/complete", body: "{}", token: viewer).status == 200)
        // who did what is in the instance's history
        let audit = (try await http("GET", "\(s.base)/processes/\(id)/history", token: viewer).body.listValue ?? []).filter { $0[member: "elementType"] == "audit" }
        #expect(audit.map { $0[member: "data"][member: "user"].stringValue ?? "" } == ["otto", "vera", "vera"])
        #expect(audit.map { $0[member: "data"][member: "request"].stringValue ?? "" }
            == ["POST /processes/guarded/start", "POST /tasks/\(taskId)/claim", "POST /tasks/\(taskId)/complete"])

        // the worker may take charge-card jobs, not ship-parcel ones
        #expect(try await http("POST", "\(s.base)/processes/payment/start", body: "{}", token: op).status == 201)
        let jobs = try await http("POST", "\(s.base)/jobs/activate", body: #"{"type": "charge-card", "requestTimeout": 5000}"#, token: worker)
        #expect(jobs.status == 200)
        let job = try #require(jobs.body[member: "jobs"].listValue?.first?[member: "key"].stringValue)
        #expect(try await http("POST", "\(s.base)/jobs/\(job)/complete", body: "{}", token: worker).status == 200)
        let ship = try await http("POST", "\(s.base)/jobs/activate", body: #"{"type": "ship-parcel"}"#, token: worker)
        #expect(ship.status == 403 && ship.body[member: "type"] == "urn:swift-bpm:problem:job-type-not-allowed")
    }

    @Test func jwtsAreCheckedForSignatureExpiryAndIssuer() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try server(dir)
        defer { s.kill(SIGTERM) }
        struct Claims: JWTPayload {
            var sub: SubjectClaim
            var exp: ExpirationClaim
            var iss: IssuerClaim
            var roles: [String]
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        func token(secret: String = AuthTests.secret, issuer: String = "https://id.example", expires: Double = 600, roles: [String] = ["operator"]) async throws -> String {
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            return try await keys.sign(Claims(sub: "jay", exp: .init(value: Date().addingTimeInterval(expires)), iss: .init(value: issuer), roles: roles))
        }
        #expect(try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", token: try await token()).status == 201)
        #expect(try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", token: try await token(roles: ["viewer"])).status == 403)
        let forged = try await http("GET", "\(s.base)/processes", token: try await token(secret: "another-secret-of-at-least-32-bytes!!"))
        #expect(forged.status == 401)
        #expect(try await http("GET", "\(s.base)/processes", token: try await token(expires: -60)).status == 401)
        let wrongIssuer = try await http("GET", "\(s.base)/processes", token: try await token(issuer: "https://evil.example"))
        #expect(wrongIssuer.status == 401 && wrongIssuer.body[member: "detail"] == "the token's issuer is not https://id.example")
    }

    @Test func theWebUISignsInWithATokenKeptInACookie() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try server(dir)
        defer { s.kill(SIGTERM) }
        // without credentials the UI sends the browser to the sign-in page
        let first = try await http("GET", "\(s.base)/ui/tasks")
        #expect(first.status == 200 && first.text.contains("<h1>Sign in</h1>"))
        // signing in sets an HttpOnly cookie that the server reads like a bearer token
        let cookie = "bpm_token=viewer-token-0123456789abcdef"
        let page = try await http("GET", "\(s.base)/ui/tasks", headers: ["Cookie": cookie])
        #expect(page.status == 200 && !page.text.contains("<h1>Sign in</h1>"))
        #expect(try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", headers: ["Cookie": cookie]).status == 403, "still only a viewer")
    }

    @Test func aReachableAddressNeedsAuthentication() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await bpm(["serve", "--store", "sqlite:\(dir.path)/a.sqlite", "--host", "0.0.0.0", "--port", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--host 0.0.0.0 is reachable from other machines: configure --auth-tokens or --jwt-secret/--jwt-public-key"))
        let file = dir.appendingPathComponent("tokens")
        try "short user=a roles=viewer\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try await bpm(["serve", "--store", "sqlite:\(dir.path)/b.sqlite", "--auth-tokens", file.path])
        #expect(bad.stderr.contains("tokens:1: a token must be at least 16 characters"))
    }
}
