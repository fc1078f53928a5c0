import BPMCamunda
import BPMCamundaREST
import BPMExpressions
import BPMRuntime
import BPMServer
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

/// Camunda's REST API v2 in process (HummingbirdTesting over the router `bpm serve` uses): validation errors and
/// problem details, auth (roles, a worker's job types, task candidates), key formats.
@Suite(.serialized) struct CamundaRESTRouterTests {
    static let admin = "admin-token-0123456789abcdef", viewer = "viewer-token-0123456789abcdef"
    static let worker = "worker-token-0123456789abcdef", operatorToken = "operator-token-0123456789abcdef"
    static let charger = "charger-token-0123456789abcdef", validator = "validator-token-0123456789abcdef"
    static let tokens = """
    \(admin)     user=ada roles=admin,operator groups=sales
    \(viewer)    user=vera roles=viewer
    \(operatorToken) user=otto roles=operator
    \(worker)    user=wim roles=worker job_types=reserve
    \(charger)   user=carl roles=worker job_types=charge
    \(validator) user=val roles=worker job_types=validate
    """
    static let bpmn = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda-rest/order.bpmn")

    /// A router over a runtime on a fresh SQLite store, with the v2 routes and the tokens above.
    func withRouter(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withTestRouter(database: "v2", tokens: Self.tokens, configure: { options, runtime in
            let gateway = CamundaGateway(runtime: runtime)
            options.extraRoutes.append { CamundaREST.register(on: $0, gateway: gateway, host: "127.0.0.1", port: 8080) }
        }, body)
    }

    struct Reply {
        var status: Int
        var contentType: String
        var json: Value
    }

    func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = admin,
              json: String? = nil, body: ByteBuffer? = nil, contentType: String = "application/json") async throws
        -> Reply
    {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil || body != nil { headers[.contentType] = contentType }
        let buffer = body ?? json.map { ByteBuffer(string: $0) }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { r in
            let text = String(buffer: r.body)
            return Reply(status: Int(r.status.code), contentType: r.headers[.contentType] ?? "",
                         json: (try? JSON.parse(text)) ?? .null)
        }
    }

    /// A multipart/form-data deployment of the order process, as the SDK and Modeler send it.
    func deploy(_ client: any TestClientProtocol, token: String = admin, name: String = "order.bpmn",
                content: String? = nil) async throws -> Reply
    {
        let boundary = "b0undary-v2-test"
        var text = "--\(boundary)\r\nContent-Disposition: form-data; name=\"resources\"; filename=\"\(name)\"\r\n"
        text += "Content-Type: application/octet-stream\r\n\r\n"
        text += try content ?? String(contentsOf: Self.bpmn, encoding: .utf8)
        text += "\r\n--\(boundary)--\r\n"
        return try await call(client, .post, "/v2/deployments", token: token, body: ByteBuffer(string: text),
                              contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func expectProblem(_ r: Reply, _ status: Int, _ title: String, _ instance: String, detail: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(r.status == status, "status \(r.status): \(JSON.encode(r.json))", sourceLocation: sourceLocation)
        #expect(r.contentType.hasPrefix("application/problem+json"), sourceLocation: sourceLocation)
        #expect(r.json[member: "title"] == .string(title), "\(JSON.encode(r.json))", sourceLocation: sourceLocation)
        #expect(r.json[member: "status"] == .number(Double(status)), sourceLocation: sourceLocation)
        #expect(r.json[member: "instance"] == .string(instance), sourceLocation: sourceLocation)
        if let detail, case .string(let d) = r.json[member: "detail"] {
            #expect(d.contains(detail), "detail: \(d)", sourceLocation: sourceLocation)
        }
    }

    @Test func topologyAndKeysAreInCamundasShapes() async throws {
        try await withRouter { client in
            let topology = try await call(client, .get, "/v2/topology", token: Self.viewer)
            #expect(topology.status == 200)
            #expect(topology.json[member: "clusterSize"] == 1)
            if case .context(let c) = topology.json { #expect(c["clusterId"] == .null, "clusterId present as null") }
            #expect(try await call(client, .get, "/v2/status").status == 204)

            let deployed = try await deploy(client)
            #expect(deployed.status == 200, "\(JSON.encode(deployed.json))")
            guard case .list(let items) = deployed.json[member: "deployments"],
                  case .string(let definitionKey) =
                  items.first?[member: "processDefinition"][member: "processDefinitionKey"]
            else { Issue.record("no process in \(JSON.encode(deployed.json))"); return }
            #expect(Int64(definitionKey).map { $0 >= CamundaKeys.base } == true, "a Zeebe-shaped key: \(definitionKey)")

            let created = try await call(client, .post, "/v2/process-instances",
                                         json: #"{"processDefinitionId": "rest-order", "variables": {"orderId": "K"}}"#)
            #expect(created.status == 200, "\(JSON.encode(created.json))")
            guard case .string(let key) = created.json[member: "processInstanceKey"] else {
                Issue.record("processInstanceKey is not a string: \(JSON.encode(created.json))"); return
            }
            #expect(Int64(key) != nil && created.json[member: "processDefinitionKey"] == .string(definitionKey))
            let fetched = try await call(client, .get, "/v2/process-instances/\(key)")
            #expect(fetched.status == 200 && fetched.json[member: "state"] == "ACTIVE")
            #expect(fetched.json[member: "processInstanceKey"] == .string(key))
            // the same key by search, also as {"$eq": …}
            let found = try await call(client, .post, "/v2/process-instances/search",
                                       json: #"{"filter": {"processInstanceKey": {"$eq": "\#(key)"}}}"#)
            #expect(found.json[member: "page"][member: "totalItems"] == 1)
        }
    }

    @Test func badRequestsGetProblemDetailsNamingTheField() async throws {
        try await withRouter { client in
            expectProblem(try await call(client, .post, "/v2/process-instances", json: "{}"), 400,
                          "INVALID_ARGUMENT", "/v2/process-instances", detail: "processDefinitionId")
            expectProblem(try await call(client, .post, "/v2/process-instances", json: "{not json"), 400,
                          "INVALID_ARGUMENT", "/v2/process-instances")
            expectProblem(try await call(client, .post, "/v2/process-instances/12ab/cancellation", json: "{}"), 400,
                          "INVALID_ARGUMENT", "/v2/process-instances/12ab/cancellation", detail: "processInstanceKey")
            expectProblem(try await call(client, .post, "/v2/process-instances/42/cancellation", json: "{}"), 404,
                          "NOT_FOUND", "/v2/process-instances/42/cancellation")
            expectProblem(try await call(client, .post, "/v2/jobs/activation", token: Self.worker,
                                         json: #"{"type": "reserve"}"#), 400, "INVALID_ARGUMENT", "/v2/jobs/activation",
                          detail: "timeout")
            expectProblem(try await call(client, .post, "/v2/messages/publication", json: #"{"name": 7}"#), 400,
                          "INVALID_ARGUMENT", "/v2/messages/publication", detail: "name")
            expectProblem(try await call(client, .post, "/v2/user-tasks/search",
                                         json: #"{"filter": {"colour": "red"}}"#), 400,
                          "INVALID_ARGUMENT", "/v2/user-tasks/search")
            expectProblem(try await call(client, .post, "/v2/incidents/search",
                                         json: #"{"filter": {"state": {"$regex": "A.*"}}}"#), 400,
                          "INVALID_ARGUMENT", "/v2/incidents/search", detail: "unknown operator '$regex'")
            expectProblem(try await call(client, .post, "/v2/process-instances/search",
                                         json: #"{"filter": {"state": "RUNNING"}}"#), 400,
                          "INVALID_ARGUMENT", "/v2/process-instances/search", detail: "ACTIVE")
            expectProblem(try await call(client, .post, "/v2/no-such-operation", json: "{}"), 404,
                          "Not Found", "/v2/no-such-operation")
        }
    }

    @Test func rolesAndAWorkersJobTypesApply() async throws {
        try await withRouter { client in
            expectProblem(try await call(client, .get, "/v2/topology", token: nil), 401,
                          "Authentication required", "/v2/topology")
            expectProblem(try await deploy(client, token: Self.viewer), 403, "Forbidden", "/v2/deployments",
                          detail: "admin")
            expectProblem(try await call(client, .post, "/v2/process-instances", token: Self.viewer,
                                         json: #"{"processDefinitionId": "rest-order"}"#), 403, "Forbidden",
                          "/v2/process-instances", detail: "operator")
            #expect(try await deploy(client).status == 200)
            let created = try await call(client, .post, "/v2/process-instances", token: Self.operatorToken,
                                         json: #"{"processDefinitionId": "rest-order", "variables": {"orderId": "W"}}"#)
            #expect(created.status == 200)
            // the reserve worker may activate reserve jobs, not charge jobs
            expectProblem(try await call(client, .post, "/v2/jobs/activation", token: Self.worker,
                                         json: #"{"type": "charge", "timeout": 1000, "maxJobsToActivate": 1}"#),
                          403, "FORBIDDEN", "/v2/jobs/activation", detail: "reserve")
            let activated = try await call(client, .post, "/v2/jobs/activation", token: Self.worker,
                                           json: #"{"type": "reserve", "timeout": 60000, "maxJobsToActivate": 5,"#
                                               + #" "requestTimeout": 5000}"#)
            guard case .list(let jobs) = activated.json[member: "jobs"], let job = jobs.first,
                  case .string(let jobKey) = job[member: "jobKey"]
            else { Issue.record("no job: \(JSON.encode(activated.json))"); return }
            #expect(job[member: "variables"][member: "orderId"] == "W" && job[member: "kind"] == "BPMN_ELEMENT")
            // an operator is not a worker; the worker completes its job
            expectProblem(try await call(client, .post, "/v2/jobs/\(jobKey)/completion", token: Self.operatorToken,
                                         json: "{}"), 403, "Forbidden", "/v2/jobs/\(jobKey)/completion")
            let done = try await call(client, .post, "/v2/jobs/\(jobKey)/completion", token: Self.worker,
                                      json: #"{"variables": {"reserved": true}}"#)
            #expect(done.status == 204, "\(JSON.encode(done.json))")
        }
    }

    /// Activates one job of a type with a worker's token; its key.
    func activateOne(_ client: any TestClientProtocol, _ type: String, token: String) async throws -> String? {
        let r = try await call(client, .post, "/v2/jobs/activation", token: token,
                               json: #"{"type": "\#(type)", "timeout": 60000, "maxJobsToActivate": 1, "#
                                   + #""requestTimeout": 5000}"#)
        guard case .list(let jobs) = r.json[member: "jobs"], case .string(let key) = jobs.first?[member: "jobKey"]
        else { Issue.record("no \(type) job: \(JSON.encode(r.json))"); return nil }
        return key
    }

    @Test func workersReportOnlyTheirJobTypesAndTasksNeedACandidate() async throws {
        try await withRouter { client in
            #expect(try await deploy(client).status == 200)
            let created = try await call(client, .post, "/v2/process-instances",
                                         json: #"{"processDefinitionId": "rest-order", "variables": {"orderId": "T"}}"#)
            guard case .string(let instanceKey) = created.json[member: "processInstanceKey"],
                  let reserve = try await activateOne(client, "reserve", token: Self.worker)
            else { Issue.record("no instance: \(JSON.encode(created.json))"); return }
            #expect(try await call(client, .post, "/v2/jobs/\(reserve)/completion", token: Self.worker).status == 204)
            guard let charge = try await activateOne(client, "charge", token: Self.charger) else { return }
            // the reserve worker may not report the charge job, nor fail it
            expectProblem(try await call(client, .post, "/v2/jobs/\(charge)/completion", token: Self.worker,
                                         json: "{}"), 403, "FORBIDDEN", "/v2/jobs/\(charge)/completion",
                          detail: "'charge'")
            expectProblem(try await call(client, .post, "/v2/jobs/\(charge)/failure", token: Self.worker,
                                         json: #"{"retries": 0}"#), 403, "FORBIDDEN", "/v2/jobs/\(charge)/failure")
            #expect(try await call(client, .post, "/v2/jobs/\(charge)/completion", token: Self.charger,
                                   json: #"{"variables": {"charged": 42}}"#).status == 204)
            // a completed job is gone
            expectProblem(try await call(client, .post, "/v2/jobs/\(charge)/completion", token: Self.charger,
                                         json: "{}"), 404, "NOT_FOUND", "/v2/jobs/\(charge)/completion")
            let tasks = try await call(client, .post, "/v2/user-tasks/search", token: Self.viewer,
                                       json: #"{"filter": {"processInstanceKey": "\#(instanceKey)"}}"#)
            guard case .list(let items) = tasks.json[member: "items"], let task = items.first,
                  case .string(let taskKey) = task[member: "userTaskKey"]
            else { Issue.record("no task: \(JSON.encode(tasks.json))"); return }
            #expect(task[member: "candidateGroups"] == .list(["sales"]) && task[member: "state"] == "CREATED")
            if case .context(let c) = task { #expect(c["assignee"] == .null, "assignee present as null") }
            // vera is no candidate; ada is in the sales group
            expectProblem(try await call(client, .post, "/v2/user-tasks/\(taskKey)/completion", token: Self.viewer,
                                         json: "{}"), 403, "FORBIDDEN", "/v2/user-tasks/\(taskKey)/completion",
                          detail: "sales")
            #expect(try await call(client, .post, "/v2/user-tasks/\(taskKey)/completion",
                                   json: #"{"variables": {"approved": true}}"#).status == 204)
            let done = try await call(client, .post, "/v2/user-tasks/search",
                                      json: #"{"filter": {"userTaskKey": "\#(taskKey)", "state": "COMPLETED"}}"#)
            #expect(done.json[member: "page"][member: "totalItems"] == 1, "\(JSON.encode(done.json))")
        }
    }

    @Test func anInstanceAwaitedAnswersWithItsVariables() async throws {
        let quick = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="q" targetNamespace="t">
          <process id="quick" isExecutable="true">
            <startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>
          </process>
        </definitions>
        """
        try await withRouter { client in
            #expect(try await deploy(client, name: "quick.bpmn", content: quick).status == 200)
            let r = try await call(client, .post, "/v2/process-instances",
                                   json: #"{"processDefinitionId": "quick", "awaitCompletion": true, "#
                                       + #""variables": {"a": 1, "b": "x"}, "fetchVariables": ["a"]}"#)
            #expect(r.status == 200, "\(JSON.encode(r.json))")
            #expect(r.json[member: "variables"] == .context(["a": 1]), "\(JSON.encode(r.json))")
            let broken = try await deploy(client, name: "broken.bpmn", content: "<definitions")
            expectProblem(broken, 400, "INVALID_ARGUMENT", "/v2/deployments")
        }
    }

    /// `startInstructions` start the instance at the named element (its job is the first);
    /// one that cannot be entered (a boundary event) is a 400 problem naming it.
    @Test func startInstructionsStartAtTheNamedElement() async throws {
        try await withRouter { client in
            #expect(try await deploy(client).status == 200)
            let r = try await call(client, .post, "/v2/process-instances",
                                   json: #"{"processDefinitionId": "rest-order", "variables": {"orderId": "S"}, "#
                                       + #""startInstructions": [{"elementId": "Charge"}]}"#)
            #expect(r.status == 200, "\(JSON.encode(r.json))")
            #expect(try await activateOne(client, "charge", token: Self.charger) != nil, "it starts at Charge")
            let bad = try await call(client, .post, "/v2/process-instances",
                                     json: #"{"processDefinitionId": "rest-order", "#
                                         + #""startInstructions": [{"elementId": "Declined"}]}"#)
            expectProblem(bad, 400, "INVALID_ARGUMENT", "/v2/process-instances", detail: "'Declined'")
        }
    }
}
