import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// The monitoring and inbox pages through the router: instances waiting at an element, the
/// diagram's links and statistics, an instance's waits, the live lists' streams, and the inbox's
/// detail pane with an embedded Camunda Form.
extension OwnAPIRouterTests {
    func deployAndStart(_ client: any TestClientProtocol, _ count: Int) async throws -> [String] {
        let deployed = try await call(client, .post, "/definitions?file=order.bpmn", json: Self.model,
                                      contentType: "application/xml")
        #expect(deployed.status == 201 || deployed.status == 200, "\(deployed.text)")
        var ids: [String] = []
        for _ in 0..<count {
            let started = try await call(client, .post, "/processes/order/start", json: "{}")
            ids.append(try #require(started.json[member: "id"].stringValue))
        }
        return ids
    }

    @Test func theDiagramLinksTheInstancesWaitingAtAnElementAndAnInstanceSaysWhatItWaitsFor() async throws {
        try await withRouter { client in
            let ids = try await deployAndStart(client, 2)
            let task = try #require(try await call(client, .get, "/tasks?instanceId=\(ids[1])").json[member: "items"]
                .listValue?.first?[member: "id"].stringValue)
            #expect(try await call(client, .post, "/tasks/\(task)/complete", json: "{}").status == 200)
            let atReview = try await call(client, .get, "/ui/instances?definitionId=order&waitingAt=review")
            func row(_ id: String) -> String { "data-instance=\"\(id)\"" }
            #expect(atReview.text.contains(row(ids[0])) && !atReview.text.contains(row(ids[1])))
            let atCharge = try await call(client, .get, "/ui/instances?definitionId=order&waitingAt=charge")
            #expect(atCharge.text.contains(row(ids[1])) && !atCharge.text.contains(row(ids[0])))
            let page = try await call(client, .get, "/ui/definitions/order")
            let link = "<a href=\"/ui/instances?definitionId=order&amp;status=running&amp;waitingAt=review\">"
            #expect(page.text.contains(link))
            #expect(page.text.contains("<tr data-stat=\"review\"><td>review</td><td>2</td><td>1</td>"), "\(page.text)")
            #expect(page.text.contains("class=\"heat\">2×"))
            let instance = try await call(client, .get, "/ui/instances/\(ids[1])")
            #expect(instance.text.contains("job of type <code class=job-type>charge-card</code> · attempt 1"))
            #expect(instance.text.contains("1 retries left") && instance.text.contains("not activated"))
            let waiting = try await call(client, .get, "/ui/instances/\(ids[0])")
            #expect(waiting.text.contains("a person: <a href=\"/ui/tasks?task="))
        }
    }

    @Test func theListPagesNameTheirStreamsAndAnUnknownListIsAProblem() async throws {
        try await withRouter { client in
            _ = try await deployAndStart(client, 1)
            let list = try await call(client, .get, "/ui/instances?definitionId=order")
            // each names the fingerprint of what it shows (`seen`): a change before the stream connects is sent
            #expect(list.text.contains("data-stream=\"/ui/events/instances?definitionId=order&amp;seen="))
            #expect(try await call(client, .get, "/ui/tasks").text.contains("data-stream=\"/ui/events/tasks?seen="))
            let none = "data-stream=\"/ui/events/incidents?message=x&amp;seen=cbf29ce484222325\""  // FNV-1a of ""
            #expect(try await call(client, .get, "/ui/incidents?message=x").text.contains(none))
            expectProblem(try await call(client, .get, "/ui/events/jobs"), 404, "unknown-list", detail: "not 'jobs'")
            expectProblem(try await call(client, .get, "/ui/events/tasks?sort=size"), 400, "invalid-parameter",
                          detail: "'sort' must be one of priority, created, due")
        }
    }

    @Test func theInboxShowsTheChosenTaskWithItsEmbeddedFormAndOffersVariablesWithoutOne() async throws {
        let file = repoRoot.appendingPathComponent("Tests/IntegrationTests/browser/forms/forms.bpmn")
        let bpmn = try String(contentsOf: file, encoding: .utf8)
        try await withRouter { client in
            #expect(try await call(client, .post, "/definitions?file=forms.bpmn", json: bpmn,
                                   contentType: "application/xml").status == 201)
            let id = try #require(try await call(client, .post, "/processes/forms/start", json: "{}").json[member: "id"]
                .stringValue)
            func task() async throws -> String {
                try #require(try await call(client, .get, "/tasks?instanceId=\(id)").json[member: "items"].listValue?
                    .first?[member: "id"].stringValue)
            }
            // the review form is linked by formId but not deployed: the page says so and offers variables
            let review = try await call(client, .get, "/ui/tasks?task=\(try await task())")
            #expect(review.text.contains("form 'order-review': no form with this id is deployed"))
            #expect(review.text.contains("id=free-variables") && review.text.contains("<button id=claim"))
            #expect(try await call(client, .post, "/tasks/\(try await task())/complete", json: "{}").status == 200)
            let confirm = try await call(client, .get, "/ui/tasks?task=\(try await task())")
            #expect(confirm.text.contains("<input type=checkbox name=\"confirmed\">"))
            #expect(!confirm.text.contains("id=not-rendered"), "everything of the embedded form is rendered")
            #expect(confirm.text.contains("<section id=task-detail"))
            expectProblem(try await call(client, .get, "/ui/tasks?sort=size"), 400, "invalid-parameter")
        }
    }
}
