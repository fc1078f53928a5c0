import BPMAPI
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Yams

/// Our own HTTP API in process (HummingbirdTesting over the router `bpm serve` uses), whose routes come from the
/// code generated from Sources/BPMAPI/openapi.yaml: the served document is that file, every operation answers
/// in its documented shape (decoded with the generated types), roles apply, and requests against the document
/// are RFC 9457 problems.
@Suite(.serialized) struct OwnAPIRouterTests {
    static let admin = "admin-token-0123456789abcdef", viewer = "viewer-token-0123456789abcdef"
    static let charger = "charger-token-0123456789abcdef"
    static let tokens = """
    \(admin)     user=ada roles=admin,worker groups=sales
    \(viewer)    user=vera roles=viewer
    \(charger)   user=carl roles=worker job_types=charge-card
    """
    static let model = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" \
    id="d">
      <error id="e" errorCode="CARD_DECLINED"/>
      <process id="order" isExecutable="true">
        <startEvent id="s"/>
        <userTask id="review" name="Review"><extensionElements>
          <zeebe:assignmentDefinition candidateGroups="sales"/>
        </extensionElements></userTask>
        <serviceTask id="charge"><extensionElements>
          <zeebe:taskDefinition type="charge-card" retries="1"/>
        </extensionElements></serviceTask>
        <boundaryEvent id="declined" attachedToRef="charge"><errorEventDefinition errorRef="e"/></boundaryEvent>
        <endEvent id="paid"/><endEvent id="refused"/>
        <sequenceFlow id="a" sourceRef="s" targetRef="review"/>
        <sequenceFlow id="b" sourceRef="review" targetRef="charge"/>
        <sequenceFlow id="c" sourceRef="charge" targetRef="paid"/>
        <sequenceFlow id="f" sourceRef="declined" targetRef="refused"/>
      </process>
    </definitions>
    """

    /// A router over a runtime on a fresh SQLite store with the tokens above.
    func withRouter(limits: Limits = Limits(),
                    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws
    {
        try await withTestRouter(database: "own", tokens: Self.tokens, configure: { options, _ in
            options.limits = limits
        }, body)
    }

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: Value
        var contentType: String { headers[.contentType] ?? "" }

        /// The body decoded as one of the document's generated types (dates as the API writes them).
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .custom { d in
                let s = try d.singleValueContainer().decode(String.self)
                guard let date = ISODate.parse(s) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: d.codingPath, debugDescription: s))
                }
                return date
            }
            return try decoder.decode(type, from: Data(text.utf8))
        }
    }

    func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = admin,
              json: String? = nil, contentType: String = "application/json", headers extra: HTTPFields = [:])
        async throws -> Reply
    {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers,
                                        body: json.map { ByteBuffer(string: $0) }) { r in
            let text = String(buffer: r.body)
            return Reply(status: Int(r.status.code), headers: r.headers, text: text,
                         json: (try? JSON.parse(text)) ?? .null)
        }
    }

    func expectProblem(_ r: Reply, _ status: Int, _ kind: String, detail: String? = nil,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation)
    {
        #expect(r.status == status, "status \(r.status): \(r.text)", sourceLocation: sourceLocation)
        #expect(r.contentType == "application/problem+json", sourceLocation: sourceLocation)
        #expect(r.json[member: "type"] == .string("urn:swift-bpm:problem:\(kind)"), "\(r.text)",
                sourceLocation: sourceLocation)
        #expect(r.json[member: "status"] == .number(Double(status)), sourceLocation: sourceLocation)
        if let detail {
            #expect(r.json[member: "detail"].stringValue?.contains(detail) == true, "detail: \(r.text)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func theServedDocumentIsTheYAMLFile() async throws {
        let yaml = try String(contentsOf: repoRoot.appendingPathComponent("Sources/BPMAPI/openapi.yaml"),
                              encoding: .utf8)
        let source = Self.canonical(try #require(try Yams.load(yaml: yaml)))
        try await withRouter { client in
            let served = try await call(client, .get, "/openapi.json", token: nil)
            #expect(served.status == 200 && served.contentType == "application/json")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(served.text.utf8)) as? [String: Any])
            // the file and what is served are one document (scripts/generate-openapi.sh writes the JSON)
            #expect(Self.canonical(doc) == source, "regenerate: scripts/generate-openapi.sh")
            #expect(doc["openapi"] as? String == "3.1.0")
            #expect((doc["servers"] as? [[String: Any]])?.first?["url"] as? String == "/")
            let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
            let ops = paths.values.flatMap(\.values)
            #expect(ops.count == 52)
            #expect(ops.allSatisfy { $0["operationId"] is String && ($0["tags"] as? [String])?.count == 1 })
            let start = try #require(paths["/processes/{definitionId}/start"]?["post"]?["responses"] as? [String: Any])
            for code in ["400", "401", "403", "404", "413", "415", "503"] { #expect(start[code] != nil, "\(code)") }
            let page = try await call(client, .get, "/ui/api", token: nil)
            #expect(page.status == 200 && page.text.contains("startInstance") && page.text.contains("Jobs"))
        }
    }

    static func canonical(_ v: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test func rolesAndAWorkersJobTypesApply() async throws {
        try await withRouter { client in
            let anonymous = try await call(client, .get, "/definitions", token: nil)
            expectProblem(anonymous, 401, "unauthenticated")
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            #expect(try await call(client, .get, "/health/live", token: nil).status == 200, "liveness is open")
            expectProblem(try await call(client, .post, "/definitions", token: Self.viewer, json: Self.model,
                                         contentType: "application/xml"), 403, "forbidden", detail: "admin")
            expectProblem(try await call(client, .post, "/processes/order/start", token: Self.viewer, json: "{}"),
                          403, "forbidden", detail: "operator")
            expectProblem(try await call(client, .post, "/jobs/activate", token: Self.charger,
                                         json: #"{"type": "reserve"}"#), 403, "job-type-not-allowed")
            #expect(try await call(client, .post, "/jobs/activate", token: Self.charger,
                                   json: #"{"type": "charge-card"}"#).json == ["jobs": []])
            #expect(try await call(client, .get, "/definitions", token: Self.viewer).json == [])
        }
    }

    @Test func requestsAgainstTheDocumentAreProblems() async throws {
        var limits = Limits()
        limits.requestBytes = 512
        try await withRouter(limits: limits) { client in
            let deployed = try await call(client, .post, "/definitions", json: Self.model)
            #expect(deployed.status == 201, "a definition sent as application/json still deploys: \(deployed.text)")
            let badJSON = try await call(client, .post, "/processes/order/start", json: #"{"variables": {"a": }"#)
            expectProblem(badJSON, 400, "invalid-json", detail: "request body is not valid JSON")
            expectProblem(try await call(client, .post, "/processes/order/start", json: #"{"variables": [1]}"#),
                          400, "invalid-variables")
            expectProblem(try await call(client, .post, "/processes/order/start", json: "[]"), 400, "invalid-body")
            expectProblem(try await call(client, .post, "/messages", json: "{}"), 400, "invalid-message",
                          detail: "'name'")
            expectProblem(try await call(client, .post, "/messages", json: #"{"name": "m", "correlationKey": {}}"#),
                          400, "invalid-message", detail: "correlationKey")
            let timeout = try await call(client, .post, "/jobs/activate", json: #"{"type": "x", "timeout": "1s"}"#)
            expectProblem(timeout, 400, "invalid-parameter")
            #expect(timeout.json[member: "detail"] == "'timeout' must be a whole number")
            expectProblem(try await call(client, .post, "/jobs/activate", json: #"{"worker": "w"}"#), 400,
                          "invalid-body", detail: "'type' is required")
            expectProblem(try await call(client, .get, "/processes?limit=many"), 400, "invalid-parameter")
            expectProblem(try await call(client, .get, "/tasks?sort=colour"), 400, "invalid-parameter",
                          detail: "'sort' must be one of priority")
            expectProblem(try await call(client, .get, "/processes?limit=5000"), 400, "invalid-parameter",
                          detail: "at most 1000")
            expectProblem(try await call(client, .get, "/definitions/order/versions/first"), 400, "invalid-parameter")
            expectProblem(try await call(client, .post, "/batch/explode", json: #"{"filter": {"status": "running"}}"#),
                          404, "no-such-operation")
            expectProblem(try await call(client, .post, "/processes/nope/start", json: "{}"), 404,
                          "unknown-definition")
            let big = #"{"variables": {"text": "\#(String(repeating: "x", count: 600))"}}"#
            expectProblem(try await call(client, .post, "/processes/order/start", json: big), 413, "body-too-large",
                          detail: "512 bytes")
            let wrongMethod = try await call(client, .delete, "/definitions")
            expectProblem(wrongMethod, 405, "method-not-allowed")
            #expect(wrongMethod.headers[.allow] == "GET, POST")
            expectProblem(try await call(client, .get, "/no/such/route"), 404, "no-such-route")
            // a JSON body sent as text (curl -d sends a form type) is read as JSON, as the document's type
            let started = try await call(client, .post, "/processes/order/start", json: #"{"businessKey": "k"}"#,
                                         contentType: "application/x-www-form-urlencoded")
            #expect(started.status == 201 && started.json[member: "businessKey"] == "k", "\(started.text)")
        }
    }
}
