import BPMAPI
import BPMExpressions
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /processes/{id}/modify`: an operator moves an instance on (activate one element,
/// terminate another, variables set first) in one command; bad bodies are 400 problems,
/// what the engine refuses is 409, an unknown instance 404, a viewer 403.
extension OwnAPIRouterTests {
    @Test func anOperatorModifiesAnInstanceInOneCommand() async throws {
        try await withRouter { client in
            let deployed = try await call(client, .post, "/definitions?file=order.bpmn", json: Self.model,
                                          contentType: "application/xml")
            #expect(deployed.status == 201, "\(deployed.text)")
            let started = try await call(client, .post, "/processes/order/start", json: #"{"variables": {"amount": 3}}"#)
            let id = try started.decode(S.Instance.self).id
            let path = "/processes/\(id)/modify"

            let nothing = try await call(client, .post, path, json: "{}")
            #expect(try nothing.decode(S.Instance.self).waitingAt?.map(\.elementId) == ["review"], "nothing changes")
            expectProblem(try await call(client, .post, path, json: #"{"move": []}"#), 400, "invalid-modification",
                          detail: "'move'")
            expectProblem(try await call(client, .post, path, json: #"{"activate": [{"variables": {}}]}"#), 400,
                          "invalid-modification", detail: "element")
            expectProblem(try await call(client, .post, path, json: #"{"activate": [{"element": "nowhere"}]}"#), 409,
                          "rejected", detail: "nowhere")
            expectProblem(try await call(client, .post, "/processes/no-such/modify",
                                         json: #"{"terminate": ["review"]}"#), 404, "unknown-instance")
            let asViewer = try await call(client, .post, path, token: Self.viewer, json: #"{"terminate": ["review"]}"#)
            #expect(asViewer.status == 403)

            let body = #"{"activate": [{"element": "charge", "variables": {"amount": 7}}], "terminate": ["review"]}"#
            let modified = try await call(client, .post, path, json: body)
            #expect(modified.status == 200, "\(modified.text)")
            let instance = try modified.decode(S.Instance.self)
            #expect(instance.waitingAt?.map(\.elementId) == ["charge"])
            #expect(modified.json[member: "variables"][member: "amount"] == 7)
            let tasks = try await call(client, .get, "/tasks?instanceId=\(id)")
            #expect(tasks.json[member: "items"] == [], "the review task ended with its token")
            let job = try await activate(client)
            let done = try await call(client, .post, "/jobs/\(job)/complete", json: "{}")
            #expect(try done.decode(S.Instance.self).status == .completed)
        }
    }
}
