import BPMExpressions
import Foundation
import Testing

@Suite(.serialized) struct ServerTests {
    @Test func theProcessAPI() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: repoRoot.appendingPathComponent("examples"), extra: ["--dry-run"])
        defer { server.kill(SIGTERM) }
        let base = server.base

        let defs = try await http("GET", "\(base)/definitions")
        #expect(defs.status == 200)
        #expect(defs.body.listValue?.count == 10)

        // events start and correlate
        let ev = try await http("POST", "\(base)/events", body: #"{"topic":"heatpump-telemetry","payload":{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":27.5}}}"#)
        #expect(ev.status == 200)
        #expect(ev.body[member: "outcomes"][member: "action"] == ["started"])
        let id = try #require(ev.body[member: "outcomes"].listValue?.first?[member: "instanceId"].stringValue)
        let ev2 = try await http("POST", "\(base)/events?topic=heatpump-telemetry", body: #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":22}}"#)
        #expect(ev2.body[member: "outcomes"][member: "action"] == ["correlated"])

        let inst = try await http("GET", "\(base)/processes/\(id)")
        #expect(inst.status == 200)
        #expect(inst.body[member: "status"] == "running")
        #expect(inst.body[member: "variables"][member: "temperature"] == 22)
        #expect(inst.body[member: "currentActivities"] == ["wait_recheck"])
        let hist = try await http("GET", "\(base)/processes/\(id)/history")
        #expect(hist.body.listValue?.first?[member: "event"] == "started")

        // start by API, user task, completion
        let started = try await http("POST", "\(base)/processes/approval/start",
                                     body: #"{"variables":{"amount":300,"requester":"ann","request_id":"r1","action_text":"pump"},"businessKey":"r1"}"#)
        #expect(started.status == 201)
        #expect(started.body[member: "businessKey"] == "r1")
        let tasks = try await http("GET", "\(base)/tasks?candidateGroup=managers")
        let task = try #require(tasks.body[member: "items"].listValue?.first)
        #expect(task[member: "elementId"] == "wait_for_approval")
        let taskId = task[member: "id"].stringValue!
        let claimed = try await http("POST", "\(base)/tasks/\(taskId)/claim", body: #"{"user":"maria"}"#)
        #expect(claimed.status == 200)
        #expect(claimed.body[member: "assignee"] == "maria")
        let stolen = try await http("POST", "\(base)/tasks/\(taskId)/claim", body: #"{"user":"bob"}"#)
        #expect(stolen.status == 409)
        #expect(stolen.body[member: "detail"] == .string("task \(taskId) is already claimed by maria"))
        #expect(try await http("GET", "\(base)/tasks?assignee=maria").body[member: "items"].listValue?.count == 1)
        // the form requires 'approved' (a boolean)
        let missing = try await http("POST", "\(base)/tasks/\(taskId)/complete", body: #"{"variables":{"comment":"ok"}}"#)
        #expect(missing.status == 422)
        #expect(missing.body[member: "errors"] == ["approved: required"])
        let wrongType = try await http("POST", "\(base)/tasks/\(taskId)/complete", body: #"{"variables":{"approved":"yes"}}"#)
        #expect(wrongType.status == 422)
        #expect(wrongType.body[member: "errors"] == ["approved: must be a boolean, got string"])
        #expect(try await http("GET", "\(base)/tasks/\(taskId)").body[member: "status"] == "open", "a rejected completion changes nothing")
        let done = try await http("POST", "\(base)/tasks/\(taskId)/complete", body: #"{"variables":{"approved":true}}"#)
        #expect(done.status == 200)
        let again = try await http("POST", "\(base)/tasks/\(task[member: "id"].stringValue!)/complete", body: "{}")
        #expect(again.status == 409)
        #expect(again.contentType == "application/problem+json")

        let list = try await http("GET", "\(base)/processes?definitionId=approval&businessKey=r1")
        #expect(list.body[member: "items"].listValue?.count == 1)

        // suspend, resume, cancel
        #expect(try await http("POST", "\(base)/processes/\(id)/suspend").body[member: "status"] == "suspended")
        #expect(try await http("POST", "\(base)/processes/\(id)/resume").body[member: "status"] == "running")
        let cancelled = try await http("POST", "\(base)/processes/\(id)/cancel", body: #"{"reason":"test"}"#)
        #expect(cancelled.body[member: "status"] == "terminated")

        // batch: cancel every running temperature-control instance
        for device in ["hp7", "hp8"] {
            _ = try await http("POST", "\(base)/events?topic=heatpump-telemetry", body: #"{"tags":{"device_id":"\#(device)"},"fields":{"flow_temp_c":30}}"#)
        }
        let batch = try await http("POST", "\(base)/batch/cancel", body: #"{"filter":{"definitionId":"temperature-control","status":"running"},"reason":"maintenance window"}"#)
        #expect(batch.body == ["matched": 2, "applied": 2, "failures": []])
        #expect(try await http("POST", "\(base)/batch/cancel", body: "{}").status == 400, "a batch without a filter is refused")
    }

    @Test func problemDetailsForBadRequests() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: repoRoot.appendingPathComponent("examples"))
        defer { server.kill(SIGTERM) }
        let base = server.base

        let unknown = try await http("GET", "\(base)/processes/nope")
        #expect(unknown.status == 404)
        #expect(unknown.contentType == "application/problem+json")
        #expect(unknown.body[member: "type"] == "urn:swift-bpm:problem:unknown-instance")
        #expect(unknown.body[member: "status"] == 404)
        #expect(unknown.body[member: "detail"] == "no instance 'nope'")

        let badJSON = try await http("POST", "\(base)/processes/approval/start", body: #"{"variables": {"a": }"#)
        #expect(badJSON.status == 400)
        #expect(badJSON.body[member: "detail"].stringValue?.hasPrefix("request body is not valid JSON") == true)

        let badVars = try await http("POST", "\(base)/processes/approval/start", body: #"{"variables": [1]}"#)
        #expect(badVars.status == 400)
        #expect(badVars.body[member: "type"] == "urn:swift-bpm:problem:invalid-variables")

        let noDef = try await http("POST", "\(base)/processes/nope/start", body: "{}")
        #expect(noDef.status == 404)
        #expect(noDef.body[member: "detail"] == "no deployed definition 'nope'")

        let noTopic = try await http("POST", "\(base)/events", body: #"{"tags":{}}"#)
        #expect(noTopic.status == 422, "a well-formed event that names no topic or definition cannot be routed")
        #expect(noTopic.body[member: "type"] == "urn:swift-bpm:problem:missing-topic")

        let noRoute = try await http("GET", "\(base)/nowhere")
        #expect(noRoute.status == 404)
        #expect(noRoute.contentType == "application/problem+json")
        #expect(noRoute.body[member: "type"] == "urn:swift-bpm:problem:no-such-route")

        let badStatus = try await http("GET", "\(base)/processes?status=sleeping")
        #expect(badStatus.status == 400)

        let invalid = try await http("POST", "\(base)/definitions", body: "id: x\nactivities:\n  - {id: a, type: nope}\n", contentType: "application/yaml")
        #expect(invalid.status == 422)
        #expect(invalid.body[member: "errors"][member: "location"] == ["request:3:19"])
        // the bad deployment changed nothing
        let defs = try await http("GET", "\(base)/definitions")
        #expect(defs.body.listValue?.count == 10)

        let huge = try await http("POST", "\(base)/events?topic=t", body: "{\"a\":\"" + String(repeating: "x", count: 2 << 20) + "\"}")
        #expect(huge.status == 413)

        let deployed = try await http("POST", "\(base)/definitions", body: "id: fresh\nactivities:\n  - {id: a, type: script, set: {x: 1}}\n")
        #expect(deployed.status == 201)
        #expect(deployed.body[member: "version"] == 1)
        let run = try await http("POST", "\(base)/processes/fresh/start", body: "")
        #expect(run.body[member: "status"] == "completed")

        let dmn = try String(contentsOf: repoRoot.appendingPathComponent("../shared/conformance/dmn-tck/compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn"), encoding: .utf8)
        #expect(try await http("POST", "\(base)/definitions", body: dmn, contentType: "application/xml").status == 201)
        let decided = try await http("POST", "\(base)/decisions/Approval%20Status/evaluate", body: #"{"variables": {"Age": 18, "RiskCategory": "Medium", "isAffordable": true}}"#)
        #expect(decided.status == 200)
        #expect(decided.body == ["result": "Approved"])
        let noDecision = try await http("POST", "\(base)/decisions/nope/evaluate", body: "{}")
        #expect(noDecision.status == 404)
        #expect(noDecision.body[member: "type"] == "urn:swift-bpm:problem:unknown-decision")

        let doc = try await http("GET", "\(base)/openapi.json")
        #expect(doc.body[member: "openapi"] == "3.1.0")
        #expect(doc.body[member: "paths"].contextValue?.keys.contains("/processes/{definitionId}/start") == true)
        #expect(try await http("GET", "\(base)/health/ready").status == 200)
    }
}
