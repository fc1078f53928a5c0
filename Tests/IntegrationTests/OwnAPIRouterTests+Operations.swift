import BPMAPI
import BPMExpressions
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every operation of the document once, in process: its status and its body decoded as the generated type.
extension OwnAPIRouterTests {
    typealias S = Components.Schemas

    @Test func operationsAnswerInTheirDocumentedShapes() async throws {
        try await withRouter { client in
            try await operations(client)
            try await definitions(client)
            let (first, second) = try await instances(client)
            try await tasksAndJobs(client, first)
            try await incidents(client, second)
            try await events(client)
        }
    }

    func operations(_ client: any TestClientProtocol) async throws {
        #expect(try await call(client, .get, "/health/live", token: nil).json == ["status": "ok"])
        let ready = try await call(client, .get, "/health/ready", token: nil)
        #expect(ready.status == 200 && ready.json[member: "checks"][member: "store"] == "ok")
        let metrics = try await call(client, .get, "/metrics")
        #expect(metrics.status == 200 && metrics.contentType.hasPrefix("text/plain"))
        #expect(metrics.text.contains("# TYPE bpm_"))
        #expect(try await call(client, .get, "/logs").json == ["items": []])
        let clock = try await call(client, .get, "/clock")
        #expect(try clock.decode(S.Clock.self).controlled == false)
        // the clock is pinned only with --clock-control
        expectProblem(try await call(client, .put, "/clock", json: #"{"timestamp": "2026-01-01T00:00:00.5Z"}"#), 403,
                      "clock-not-controlled")
        expectProblem(try await call(client, .post, "/clock/reset"), 403, "clock-not-controlled")
    }

    func definitions(_ client: any TestClientProtocol) async throws {
        let deployed = try await call(client, .post, "/definitions?file=order.bpmn&deployedBy=ops", json: Self.model,
                                      contentType: "application/xml")
        #expect(deployed.status == 201, "\(deployed.text)")
        #expect(try deployed.decode(S.Definition.self).version == 1)
        let again = try await call(client, .post, "/definitions", json: Self.model, contentType: "application/xml")
        #expect(again.status == 200 && again.json[member: "created"] == false, "same content, same version")
        #expect(try await call(client, .get, "/definitions").decode([S.Definition].self).map(\.id) == ["order"])
        #expect(try await call(client, .get, "/definitions/order").decode(S.Definition.self).flow != nil)
        let versions = try await call(client, .get, "/definitions/order/versions").decode([S.DefinitionVersion].self)
        #expect(versions.map(\.origin) == ["api by ops (order.bpmn)"])
        #expect(try await call(client, .get, "/definitions/order/versions/1").decode(S.DefinitionVersion.self)
            .source == Self.model)
        let source = try await call(client, .get, "/definitions/order/versions/1/source")
        #expect(source.contentType == "application/xml; charset=utf-8" && source.text == Self.model)
        expectProblem(try await call(client, .get, "/definitions/order/versions/7"), 404, "unknown-version")
        let diff = try await call(client, .get, "/definitions/order/diff?from=1&to=1")
        #expect(try diff.decode(S.DefinitionDiff.self).identical == true)
        #expect(try await call(client, .get, "/deployments").json == [], "no watched folder")
        let catalog = try await call(client, .get, "/backstage/catalog-info.yaml")
        #expect(catalog.contentType.hasPrefix("application/yaml") && catalog.text.contains("business-process"))
        #expect(try await call(client, .get, "/decisions").json == [])
        expectProblem(try await call(client, .post, "/decisions/no%20such/evaluate", json: "{}"), 404,
                      "unknown-decision", detail: "no such")
    }

    /// Two instances waiting at the review task.
    func instances(_ client: any TestClientProtocol) async throws -> (String, String) {
        var key = HTTPFields()
        key[.init("Idempotency-Key")!] = "order-1"
        let started = try await call(client, .post, "/processes/order/start", json: #"{"variables": {"amount": 42}}"#,
                                     headers: key)
        #expect(started.status == 201 && started.headers[.init("Idempotent-Replayed")!] == nil)
        let first = try started.decode(S.Instance.self)
        #expect(first.waitingAt?.first?.elementId == "review")
        let replayed = try await call(client, .post, "/processes/order/start", json: "{}", headers: key)
        #expect(replayed.status == 201 && replayed.headers[.init("Idempotent-Replayed")!] == "true")
        #expect(replayed.json[member: "id"] == .string(first.id))
        let second = try await call(client, .post, "/processes/order/start", json: "").decode(S.Instance.self)
        let page = try await call(client, .get, "/processes?definitionId=order&var[amount]=42")
        #expect(page.json[member: "items"].listValue?.count == 1)
        #expect(try await call(client, .get, "/processes/\(first.id)").decode(S.Instance.self).status == .running)
        let history = try await call(client, .get, "/processes/\(first.id)/history").decode([S.HistoryEntry].self)
        #expect(history.first?.elementId == "order" && history.contains { $0.elementId == "review" })
        #expect(try await call(client, .post, "/processes/\(second.id)/suspend").decode(S.Instance.self)
            .status == .suspended)
        #expect(try await call(client, .post, "/processes/\(second.id)/resume").decode(S.Instance.self)
            .status == .running)
        let set = try await call(client, .post, "/processes/\(second.id)/variables", json: #"{"note": "n"}"#)
        #expect(set.json[member: "variables"][member: "note"] == "n")
        let migrated = try await call(client, .post, "/processes/\(second.id)/migrate", json: #"{"targetVersion": 1}"#)
        expectProblem(migrated, 409, "rejected", detail: "already runs on version 1")
        return (first.id, second.id)
    }

    /// The review task by the inbox operations, then the job by a worker: failed to an incident, retried, done.
    func tasksAndJobs(_ client: any TestClientProtocol, _ instance: String) async throws {
        let tasks = try await call(client, .get, "/tasks?instanceId=\(instance)")
        let task = try #require(tasks.json[member: "items"].listValue?.first?[member: "id"].stringValue)
        #expect(try await call(client, .get, "/tasks/\(task)").decode(S.Task.self).elementId == "review")
        let claimed = try await call(client, .post, "/tasks/\(task)/claim", json: "{}")
        #expect(claimed.json[member: "assignee"] == "ada", "\(claimed.text)")
        let unclaimed = try await call(client, .post, "/tasks/\(task)/unclaim")
        #expect(try unclaimed.decode(S.Task.self).assignee == nil, "\(unclaimed.text)")
        let assigned = try await call(client, .post, "/tasks/\(task)/assign", json: #"{"assignee": "ada"}"#)
        #expect(try assigned.decode(S.Task.self).assignee == "ada")
        let done = try await call(client, .post, "/tasks/\(task)/complete", json: #"{"variables": {"ok": true}}"#)
        #expect(try done.decode(S.Instance.self).waitingAt?.first?.waitingFor == "job")
        let job = try await activate(client)
        let failed = try await call(client, .post, "/jobs/\(job)/fail", json: #"{"retries": 0, "errorMessage": "x"}"#)
        let incident = try #require(try failed.decode(S.Instance.self).incidents?.first?.id)
        let open = try await call(client, .get, "/incidents?instanceId=\(instance)")
        #expect(open.json[member: "items"].listValue?.count == 1)
        #expect(try await call(client, .post, "/incidents/\(incident)/retry").status == 200)
        let completed = try await call(client, .post, "/jobs/\(try await activate(client))/complete", json: "{}")
        #expect(try completed.decode(S.Instance.self).status == .completed)
    }

    func activate(_ client: any TestClientProtocol) async throws -> String {
        let r = try await call(client, .post, "/jobs/activate", json: #"{"type": "charge-card", "worker": "w"}"#)
        return try #require(r.json[member: "jobs"].listValue?.first?[member: "key"].stringValue, "\(r.text)")
    }

    /// The second instance: its job fails to an incident that is resolved; then a BPMN error; then a cancel.
    func incidents(_ client: any TestClientProtocol, _ instance: String) async throws {
        let tasks = try await call(client, .get, "/tasks?instanceId=\(instance)")
        let task = try #require(tasks.json[member: "items"].listValue?.first?[member: "id"].stringValue)
        #expect(try await call(client, .post, "/tasks/\(task)/complete").status == 200)
        let failed = try await call(client, .post, "/jobs/\(try await activate(client))/fail", json: "{}")
        let incident = try #require(try failed.decode(S.Instance.self).incidents?.first?.id)
        let resolved = try await call(client, .post, "/incidents/\(incident)/resolve", json: #"{"variables": {}}"#)
        #expect(try resolved.decode(S.Instance.self).status == .completed, "\(resolved.text)")
        let third = try await call(client, .post, "/processes/order/start").decode(S.Instance.self)
        let next = try await call(client, .get, "/tasks?instanceId=\(third.id)")
        let review = try #require(next.json[member: "items"].listValue?.first?[member: "id"].stringValue)
        #expect(try await call(client, .post, "/tasks/\(review)/complete").status == 200)
        let thrown = try await call(client, .post, "/jobs/\(try await activate(client))/error",
                                    json: #"{"errorCode": "CARD_DECLINED"}"#)
        #expect(try thrown.decode(S.Instance.self).status == .completed, "the boundary ends at refused")
        let fourth = try await call(client, .post, "/processes/order/start").decode(S.Instance.self)
        let cancelled = try await call(client, .post, "/processes/\(fourth.id)/cancel", json: #"{"reason": "test"}"#)
        #expect(try cancelled.decode(S.Instance.self).status == .terminated)
        _ = try await call(client, .post, "/processes/order/start")
        let batch = try await call(client, .post, "/batch/cancel", json: #"{"filter": {"status": "running"}}"#)
        #expect(batch.json[member: "matched"] == 1 && batch.json[member: "applied"] == 1, "\(batch.text)")
    }

    func events(_ client: any TestClientProtocol) async throws {
        let event = try await call(client, .post, "/events", json: #"{"topic": "nothing", "payload": {"a": 1}}"#)
        #expect(event.status == 200 && event.json[member: "outcomes"] == [], "\(event.text)")
        // a correlation key may be a number, a time to live a duration or seconds
        let dropped = try await call(client, .post, "/messages",
                                     json: #"{"name": "m", "correlationKey": 42, "timeToLive": 0}"#)
        #expect(dropped.json == ["outcome": "dropped"], "\(dropped.text)")
        let kept = try await call(client, .post, "/messages", json: #"{"name": "m", "timeToLive": "PT1H"}"#)
        #expect(kept.json == ["outcome": "buffered"], "\(kept.text)")
        let signal = try await call(client, .post, "/signals", json: #"{"name": "s"}"#)
        #expect(signal.json == ["correlated": 0, "instanceIds": []])
    }
}
