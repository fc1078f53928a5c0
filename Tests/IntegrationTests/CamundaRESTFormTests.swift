import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// User tasks' forms over REST v2: a task linking a deployed form by `zeebe:formDefinition formId` reports the
/// form's key in search and `GET /v2/user-tasks/{key}`, and `GET …/form` answers the form (204 for a task without
/// one); a BPMN service task without `retries` reports Zeebe's default 3.
extension CamundaRESTRouterTests {
    static let formOrder = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda-rest/form-order.bpmn")
    static let reviewForm = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda-rest/review.form")

    @Test func userTasksReportTheirLinkedFormAndJobsZeebesDefaultRetries() async throws {
        try await withRouter { client in
            let form = try await deploy(client, name: "review.form",
                                        content: try String(contentsOf: Self.reviewForm, encoding: .utf8))
            guard case .list(let forms) = form.json[member: "deployments"],
                  case .string(let formKey) = forms.first?[member: "form"][member: "formKey"]
            else { Issue.record("no form in \(JSON.encode(form.json))"); return }
            let bpmn = try await deploy(client, name: "form-order.bpmn",
                                        content: try String(contentsOf: Self.formOrder, encoding: .utf8))
            #expect(bpmn.status == 200, "\(JSON.encode(bpmn.json))")
            let created = try await call(client, .post, "/v2/process-instances",
                                         json: #"{"processDefinitionId": "form-order"}"#)
            let instanceKey = created.json[member: "processInstanceKey"]
            let search = try await call(client, .post, "/v2/user-tasks/search",
                                        json: #"{"filter": {"processInstanceKey": \#(JSON.encode(instanceKey))}}"#)
            guard case .list(let tasks) = search.json[member: "items"], tasks.count == 2 else {
                Issue.record("expected two tasks: \(JSON.encode(search.json))"); return
            }
            let review = try #require(tasks.first { $0[member: "elementId"] == "review" })
            let note = try #require(tasks.first { $0[member: "elementId"] == "note" })
            #expect(review[member: "formKey"] == .string(formKey) && note[member: "formKey"] == .null)
            let reviewKey = try #require(review[member: "userTaskKey"].stringValue)
            let got = try await call(client, .get, "/v2/user-tasks/\(reviewKey)", token: Self.viewer)
            #expect(got.status == 200 && got.json == review)
            let linked = try await call(client, .get, "/v2/user-tasks/\(reviewKey)/form", token: Self.viewer)
            #expect(linked.status == 200 && linked.json[member: "formKey"] == .string(formKey))
            #expect(linked.json[member: "formId"] == "review-form" && linked.json[member: "version"] == 1)
            let schema = try JSON.parse(try #require(linked.json[member: "schema"].stringValue))
            #expect(schema[member: "id"] == "review-form")
            let noteKey = try #require(note[member: "userTaskKey"].stringValue)
            #expect(try await call(client, .get, "/v2/user-tasks/\(noteKey)/form").status == 204)
            expectProblem(try await call(client, .get, "/v2/user-tasks/\(instanceKey.stringValue ?? "")"), 404,
                          "NOT_FOUND", "/v2/user-tasks/\(instanceKey.stringValue ?? "")")
            let jobs = try await call(client, .post, "/v2/jobs/activation", token: Self.worker, json: """
                {"type": "reserve", "timeout": 60000, "maxJobsToActivate": 1, "requestTimeout": -1}
                """)
            guard case .list(let activated) = jobs.json[member: "jobs"] else {
                Issue.record("no jobs: \(JSON.encode(jobs.json))"); return
            }
            #expect(activated.first?[member: "retries"] == 3, "Zeebe's default when the task names no retries")
            try await formsAreCheckedOnlyOutsideCamundasAPIs(client, reviewKey: reviewKey)
        }
    }

    /// As Camunda, which checks a form only in its Tasklist: REST v2 completes the review with a value its
    /// checkbox refuses, where our own API (the inbox's) refuses it.
    func formsAreCheckedOnlyOutsideCamundasAPIs(_ client: any TestClientProtocol, reviewKey: String) async throws {
        func ownReviewTasks() async throws -> Set<String> {
            let r = try await call(client, .get, "/tasks?status=open")
            return Set((r.json[member: "items"].listValue ?? []).filter { $0[member: "elementId"] == "review" }
                .compactMap { $0[member: "id"].stringValue })
        }
        let before = try await ownReviewTasks()
        _ = try await call(client, .post, "/v2/process-instances", json: #"{"processDefinitionId": "form-order"}"#)
        let own = try #require(try await ownReviewTasks().subtracting(before).first)
        _ = try await call(client, .post, "/tasks/\(own)/assign", json: #"{"assignee": "ada"}"#)
        _ = try await call(client, .post, "/v2/user-tasks/\(reviewKey)/assignment", json: #"{"assignee": "ada"}"#)
        let wrong = #"{"variables": {"approved": "yes"}}"#
        let refused = try await call(client, .post, "/tasks/\(own)/complete", json: wrong)
        #expect(refused.status == 422, "\(JSON.encode(refused.json))")
        let completed = try await call(client, .post, "/v2/user-tasks/\(reviewKey)/completion", json: wrong)
        #expect(completed.status == 204, "\(JSON.encode(completed.json))")
    }

    /// The advanced filter operators on the fields a search filters, keys compared as numbers.
    @Test func advancedFilterOperatorsSelectTasksAndInstances() async throws {
        try await withRouter { client in
            _ = try await deploy(client, name: "form-order.bpmn",
                                 content: try String(contentsOf: Self.formOrder, encoding: .utf8))
            let created = try await call(client, .post, "/v2/process-instances",
                                         json: #"{"processDefinitionId": "form-order"}"#)
            let key = try #require(created.json[member: "processInstanceKey"].stringValue)
            func tasks(_ filter: String) async throws -> [String] {
                let r = try await call(client, .post, "/v2/user-tasks/search", json: #"{"filter": \#(filter)}"#)
                #expect(r.status == 200, "\(filter): \(JSON.encode(r.json))")
                guard case .list(let items) = r.json[member: "items"] else { return [] }
                return items.compactMap { $0[member: "elementId"].stringValue }.sorted()
            }
            #expect(try await tasks(#"{"elementId": {"$in": ["review", "other"]}}"#) == ["review"])
            #expect(try await tasks(#"{"elementId": {"$notIn": ["review"]}}"#) == ["note"])
            #expect(try await tasks(#"{"elementId": {"$neq": "review"}, "processInstanceKey": "\#(key)"}"#) == ["note"])
            #expect(try await tasks(#"{"elementId": {"$like": "r?v*"}}"#) == ["review"])
            #expect(try await tasks(#"{"assignee": {"$exists": false}}"#) == ["note", "review"])
            #expect(try await tasks(#"{"assignee": {"$exists": true}}"#) == [])
            #expect(try await tasks(#"{"processInstanceKey": {"$gte": "\#(key)"}}"#) == ["note", "review"])
            #expect(try await tasks(#"{"processInstanceKey": {"$lt": "\#(key)"}}"#) == [])
            #expect(try await tasks(#"{"processInstanceKey": {"$in": ["\#(key)"]}, "state": {"$eq": "CREATED"}}"#)
                == ["note", "review"])
            let instances = try await call(client, .post, "/v2/process-instances/search",
                                           json: #"{"filter": {"state": {"$in": ["ACTIVE", "COMPLETED"]}}}"#)
            #expect(instances.json[member: "page"][member: "totalItems"] == 1)
            expectProblem(try await call(client, .post, "/v2/user-tasks/search",
                                         json: #"{"filter": {"elementId": {"$in": "review"}}}"#), 400,
                          "INVALID_ARGUMENT", "/v2/user-tasks/search", detail: "$in takes a list")
        }
    }
}
