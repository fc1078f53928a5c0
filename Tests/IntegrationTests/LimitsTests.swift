import BPMExpressions
import Foundation
import Testing

/// `bpm serve` with small limits: each is enforced with a problem naming it and its option,
/// and the API answers wrong methods and out-of-range parameters precisely.
@Suite(.serialized) struct ServerLimitsTests {
    @Test func eachLimitGivesAPreciseProblem() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try "id: small\nactivities:\n  - {id: ask, type: user}\n".write(to: defs.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        let s = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                           extra: ["--max-request-bytes", "2000", "--max-variables-bytes", "300", "--max-definition-bytes", "5000",
                                   "--max-elements", "3", "--max-yaml-nodes", "60", "--max-long-poll", "0.2"])
        defer { s.kill(SIGTERM) }

        // variables: 300 bytes as JSON
        let fat = #"{"variables": {"note": ""# + String(repeating: "n", count: 400) + #""}}"#
        let refused = try await http("POST", "\(s.base)/processes/small/start", body: fat)
        #expect(refused.status == 413)
        #expect(refused.body[member: "type"] == "urn:swift-bpm:problem:variables-too-large")
        #expect(refused.body[member: "detail"].stringValue?.contains("limited to 300 bytes (--max-variables-bytes)") == true)
        #expect(try await http("POST", "\(s.base)/processes/small/start", body: #"{"variables": {"note": "short"}}"#).status == 201)
        let event = try await http("POST", "\(s.base)/events?definitionId=small", body: #"{"x": ""# + String(repeating: "e", count: 400) + #""}"#)
        #expect(event.status == 413 && event.body[member: "type"] == "urn:swift-bpm:problem:variables-too-large")

        // request body: 2,000 bytes
        let huge = try await http("POST", "\(s.base)/messages", body: #"{"name": "m", "pad": ""# + String(repeating: "p", count: 3000) + #""}"#)
        #expect(huge.status == 413)
        #expect(huge.body[member: "detail"] == "this request's body is limited to 2000 bytes (--max-request-bytes)")

        // definitions: 5,000 bytes, 3 elements, 60 YAML values
        let long = "id: long\ndescription: \"" + String(repeating: "d", count: 6000) + "\"\nactivities:\n  - {id: a, type: user}\n"
        let tooLong = try await http("POST", "\(s.base)/definitions?file=long.yaml", body: long, contentType: "application/yaml")
        #expect(tooLong.status == 413 && tooLong.body[member: "detail"].stringValue?.contains("--max-definition-bytes") == true)
        let four = "id: four\nactivities:\n" + (1...4).map { "  - {id: a\($0), type: user}\n" }.joined()
        let tooMany = try await http("POST", "\(s.base)/definitions?file=four.yaml", body: four, contentType: "application/yaml")
        #expect(tooMany.status == 422)
        #expect(tooMany.body[member: "errors"] == .list([.context(["location": "four.yaml:1:1", "line": 1, "column": 1,
                                                                  "message": "process 'four' has 6 elements; at most 3 are allowed (--max-elements)"])]))
        let laughs = "id: lol\nvariables:\n  - {name: a, value: &a [1, 1, 1, 1, 1, 1, 1, 1]}\n  - {name: b, value: &b [*a, *a, *a, *a, *a, *a, *a, *a]}\nactivities:\n  - {id: t, type: user, form: *b}\n"
        let expanded = try await http("POST", "\(s.base)/definitions?file=lol.yaml", body: laughs, contentType: "application/yaml")
        #expect(expanded.status == 422 && expanded.text.contains("the YAML expands to more than 60 values"))

        // a long poll is cut to --max-long-poll
        let t0 = Date()
        let poll = try await http("POST", "\(s.base)/jobs/activate", body: #"{"type": "nothing-here", "requestTimeout": 60000}"#)
        #expect(poll.status == 200 && Date().timeIntervalSince(t0) < 10)

        // parameters outside the documented range, and methods a path does not take
        let page = try await http("GET", "\(s.base)/processes?limit=1001")
        #expect(page.status == 400 && page.body[member: "detail"] == "'limit' must be at most 1000, got 1001")
        #expect(try await http("GET", "\(s.base)/tasks?status=AAA").status == 400)
        #expect(try await http("GET", "\(s.base)/incidents?status=closed").status == 400)
        let wrong = try await http("DELETE", "\(s.base)/health/live")
        #expect(wrong.status == 405)
        #expect(wrong.body[member: "detail"] == "/health/live takes GET, not DELETE")
        #expect(try await http("GET", "\(s.base)/no/such/thing").status == 404)
        let job = try await http("POST", "\(s.base)/jobs/activate", body: #"{"type": "x", "timeout": {}}"#)
        #expect(job.status == 400 && job.body[member: "detail"] == "'timeout' must be a whole number")

        // the served document lists the errors every operation can answer
        let doc = try await http("GET", "\(s.base)/openapi.json")
        let start = doc.body[member: "paths"][member: "/processes/{definitionId}/start"][member: "post"][member: "responses"]
        for code in ["400", "401", "403", "404", "413", "415", "503"] { #expect(start[member: code] != .null, "start lacks \(code)") }
        #expect(doc.body[member: "paths"][member: "/health/live"][member: "get"][member: "responses"][member: "401"] == .null)
    }
}
