import BPMExpressions
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The editor's operations in process: `POST /definitions/validate` answers exactly what `bpm validate` prints,
/// each problem with its line and column; `/definitions/preview` draws; `/definitions/test-run` runs on a
/// simulated clock; viewers may check but not deploy.
extension OwnAPIRouterTests {
    static let broken = """
    id: broken
    name: Broken
    activities:
      - id: mark
        type: script
        set:
          request_status: '"pending"'
      - id: ask
        type: usr
      - id: route
        type: decision
        cases:
          - when: request_status = "pending"
            next: nowhere
    """

    static let fixed = """
    id: broken
    name: Broken
    activities:
      - id: mark
        type: script
        set:
          request_status: "pending"
      - {id: ask, type: user, candidate_groups: [clerks]}
    """

    /// `bpm validate`'s stderr lines for a text, and the API's `text` of each problem and warning for it.
    func bothChecks(_ text: String, _ client: any TestClientProtocol, _ dir: URL) async throws
        -> (cli: [String], api: Reply)
    {
        let file = dir.appendingPathComponent("check-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let cli = try await bpm(["validate", file.path])
        let path = file.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let r = try await call(client, .post, "/definitions/validate?file=\(path)", json: text,
                               contentType: "application/yaml")
        #expect(r.status == 200 && r.contentType == "application/json", "\(r.text)")
        let texts = ((r.json[member: "problems"].listValue ?? []) + (r.json[member: "warnings"].listValue ?? []))
            .compactMap { $0[member: "text"].stringValue }
        let printed = cli.stderr.split(separator: "\n").map(String.init)
        #expect(texts == printed, "API \(texts) vs CLI \(printed)")
        #expect(r.json[member: "valid"] == .bool(cli.status == 0))
        return (printed, r)
    }

    @Test func validateAnswersWhatBpmValidatePrintsWithLinesAndColumns() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withRouter { client in
            let (_, r) = try await bothChecks(Self.broken, client, dir)
            #expect(r.json[member: "valid"] == .bool(false))
            let problems = r.json[member: "problems"].listValue ?? []
            #expect(problems.count == 2, "\(r.text)")
            // the unknown type sits on line 9 of the text, after `type: `
            let usr = try #require(problems.first { $0[member: "message"].stringValue?.contains("usr") == true })
            #expect(usr[member: "line"] == .number(9) && usr[member: "column"] == .number(11), "\(usr)")
            #expect(usr[member: "severity"] == .string("error"))
            // a warning, as `bpm validate` prints it: the text deploys
            let quotedText = Self.fixed.replacingOccurrences(of: #"request_status: "pending""#,
                                                              with: #"request_status: '"pending"'"#)
            let (_, q) = try await bothChecks(quotedText, client, dir)
            #expect(q.json[member: "valid"] == .bool(true))
            let quoted = try #require(q.json[member: "warnings"].listValue?.first)
            #expect(quoted[member: "line"] == .number(7) && quoted[member: "severity"] == .string("warning"))
            #expect(quoted[member: "message"].stringValue?.contains("double quotes") == true)
        }
    }

    @Test func aValidTextIsSummarisedAndDrawnAndAViewerMayCheckButNotDeploy() async throws {
        try await withRouter { client in
            let r = try await call(client, .post, "/definitions/validate?diagram=svg", token: Self.viewer,
                                   json: Self.fixed, contentType: "text/plain")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json[member: "valid"] == .bool(true) && r.json[member: "format"] == .string("yaml"))
            #expect(r.json[member: "problems"].listValue?.isEmpty == true)
            #expect(r.json[member: "summary"].stringValue?.hasPrefix("broken: ") == true, "\(r.text)")
            #expect(r.json[member: "diagram"].stringValue?.hasPrefix("<svg") == true)
            let bpmn = try await call(client, .post, "/definitions/validate?format=bpmn", json: Self.model,
                                      contentType: "application/xml")
            #expect(bpmn.json[member: "valid"] == .bool(true) && bpmn.json[member: "format"] == .string("bpmn"))
            let first = bpmn.json[member: "definitions"].listValue?.first
            #expect(first?[member: "id"] == .string("order"), "\(bpmn.text)")
            let svg = try await call(client, .post, "/definitions/preview", json: Self.model,
                                     contentType: "application/xml")
            #expect(svg.status == 200 && svg.contentType.hasPrefix("image/svg+xml") && svg.text.contains("review"))
            let bad = try await call(client, .post, "/definitions/preview", json: "id: x\nactivities: 3\n",
                                     contentType: "application/yaml")
            expectProblem(bad, 422, "invalid-definition")
            let deploy = try await call(client, .post, "/definitions", token: Self.viewer, json: Self.fixed,
                                        contentType: "application/yaml")
            expectProblem(deploy, 403, "forbidden")
            let deployed = try await call(client, .post, "/definitions", json: Self.fixed,
                                          contentType: "application/yaml")
            #expect(deployed.status == 201)
            let asAdmin = try await call(client, .get, "/ui/definitions/broken/edit")
            let asViewer = try await call(client, .get, "/ui/definitions/broken/edit", token: Self.viewer)
            #expect(asAdmin.status == 200 && asViewer.status == 200 && asViewer.text.contains("id: broken"))
            // deploying is offered to admins only
            #expect(asAdmin.text.contains("id=deploy") && !asViewer.text.contains("id=deploy"))
            let model = try await call(client, .get, "/ui/definitions/broken/model")
            #expect(model.text.contains("id=modeler-missing") && model.text.contains("YAML definition"))
            // a text of blanks is a text with a problem; no text at all is a bad request
            let empty = try await call(client, .post, "/definitions/validate", json: "  ",
                                       contentType: "application/yaml")
            #expect(empty.status == 200 && empty.json[member: "valid"] == .bool(false), "\(empty.text)")
            let none = try await call(client, .post, "/definitions/validate", json: "", contentType: "application/yaml")
            expectProblem(none, 400, "empty-body")
            let allow = try await call(client, .options, "/definitions/preview")
            #expect(allow.headers[.allow] == "POST", "\(allow.headers)")
            expectProblem(try await call(client, .post, "/definitions/validate?format=json", json: Self.fixed,
                                         contentType: "application/yaml"), 400, "invalid-parameter")
        }
    }

    @Test func aTestRunOnTheSimulatedClockAnswersThePath() async throws {
        try await withRouter { client in
            let body = JSON.encode(["source": .string(Self.fixed), "variables": ["amount": 5]])
            let r = try await call(client, .post, "/definitions/test-run", token: Self.viewer, json: body)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json[member: "status"] == .string("waiting"))
            #expect(r.json[member: "path"].listValue?.compactMap(\.stringValue).contains("mark") == true, "\(r.text)")
            #expect(r.json[member: "variables"][member: "request_status"] == .string("pending"))
            #expect(r.json[member: "variables"][member: "amount"] == .number(5))
            let broken = JSON.encode(["source": .string(Self.broken)])
            let refused = try await call(client, .post, "/definitions/test-run", json: broken)
            expectProblem(refused, 422, "invalid-definition")
            // nothing was deployed
            #expect(try await call(client, .get, "/definitions").json.listValue?.isEmpty == true)
        }
    }
}
