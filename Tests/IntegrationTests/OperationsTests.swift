import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// What operators scrape and read: `/metrics` (every family from the start, each with help,
/// promtool-clean) and the OpenAPI document with its reference page.
@Suite struct OperationsTests {
    /// A definition whose instances wait at a user task.
    static let waiter = """
    id: waiter
    name: Waits for a person
    activities:
      - {id: look, type: user, candidate_groups: [clerks]}
    """

    /// The metric families docs/operations.md lists (its table's `bpm_…` names).
    static func documentedFamilies() throws -> Set<String> {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let section = doc.components(separatedBy: "## Metrics and dashboards").last?.components(separatedBy: "\n## ").first ?? ""
        var names = Set<String>()
        for line in section.split(separator: "\n") where line.hasPrefix("| `bpm_") {
            let cell = line.split(separator: "|").first.map(String.init) ?? ""
            for part in cell.components(separatedBy: "`") where part.hasPrefix("bpm_") { names.insert(part) }
        }
        return names
    }

    static func families(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
    }

    /// promtool's verdict on an exposition: its exit status and what it printed.
    static func promtool(_ text: String, in dir: URL) async throws -> (status: Int32, output: String) {
        let file = dir.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try await Spawned.completion(of: ["/bin/sh", "-c", "promtool check metrics < '\(file.path)'"])
        return (r.status, r.output)
    }

    @Test func everyDocumentedFamilyIsThereFromTheStartWithHelpAndPromtoolPassesBeforeAndAfterLoad() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: repoRoot.appendingPathComponent("examples"))
        defer { server.kill(SIGTERM) }
        let documented = try Self.documentedFamilies()
        #expect(documented.count == 29)

        let fresh = try await http("GET", "\(server.base)/metrics").text
        let names = Self.families(fresh)
        print("metric families right after start: \(names.count)")
        #expect(names.count == documented.count, "\(names.sorted())")
        #expect(Set(names) == documented)
        for name in names { #expect(fresh.contains("# HELP \(name) "), "\(name) has help") }
        // counters at 0 where the labels are known: per deployed definition, and unlabelled ones
        #expect(fresh.contains(#"bpm_instances_started_total{definition="approval",version="1"} 0"#)
            || fresh.contains(#"bpm_instances_started_total{version="1",definition="approval"} 0"#), "\(fresh)")
        #expect(fresh.contains("\nbpm_incidents_resolved_total 0"))
        #expect(fresh.contains(#"bpm_incidents_raised_total{type="job_failed"} 0"#))
        #expect(fresh.contains(#"bpm_events_received_total{topic="approval-requests"} 0"#))
        #expect(fresh.contains(#"bpm_jobs_created_total{action="notify"} 0"#))
        let before = try await Self.promtool(fresh, in: dir)
        #expect(before.status == 0, "promtool on a fresh server: \(before.output)")

        // some load: instances started and ended, a user task, an event nobody listens to
        for i in 0..<3 {
            let ev = #"{"topic": "approval-requests", "payload": {"tags": {"request_id": "m\#(i)"}, "#
                + #""fields": {"amount": 500, "requester": "a@b.c", "action": "x"}}}"#
            #expect(try await http("POST", "\(server.base)/events", body: ev).status == 200)
        }
        _ = try await http("POST", "\(server.base)/events", body: #"{"topic": "nobody-listens", "payload": {}}"#)
        let task = try #require(try await http("GET", "\(server.base)/tasks").body[member: "items"].listValue?.first)
        let done = try await http("POST", "\(server.base)/tasks/\(task[member: "id"].interpolated)/complete", body: #"{"variables": {"approved": true}}"#)
        #expect(done.status == 200)
        let loaded = try await http("GET", "\(server.base)/metrics").text
        #expect(Set(Self.families(loaded)) == documented, "no undocumented family appears under load")
        #expect(loaded.contains("bpm_tasks_created_total{definition=\"approval\"} "))
        let after = try await Self.promtool(loaded, in: dir)
        #expect(after.status == 0, "promtool after load: \(after.output)")
    }
}

extension OperationsTests {
    /// A throttle's queued and dropped starts are counted per definition, at 0 from the start.
    @Test func throttledStartsAreCountedDroppedAndQueuedPerDefinition() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("definitions", of: dir)
        try """
        id: heatpump-alert
        trigger:
          topic: heatpump-alarms
          throttle: {starts: 1, per: 1h, excess: queue, queue_limit: 1}
        variables:
          - {name: device_id, source: device_id}
        correlation_key: device_id
        activities:
          - {id: note, type: script, set: {seen: true}}
        """.write(to: defs.appendingPathComponent("heatpump-alert.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        func series(_ text: String, _ name: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(name + #"{definition="heatpump-alert"} "#) }
                .map { String($0.split(separator: " ").last ?? "") }
        }
        let fresh = try await http("GET", "\(server.base)/metrics").text
        #expect(series(fresh, "bpm_throttle_dropped_total") == "0", "\(fresh)")
        #expect(series(fresh, "bpm_throttle_queued_total") == "0")
        #expect(fresh.contains("# HELP bpm_throttle_queued_total Trigger starts a throttle queued"))
        // the first alarm starts, the second is queued (the budget is spent), the third dropped (the queue is full)
        var reasons: [String] = []
        for _ in 0..<3 {
            let r = try await http("POST", "\(server.base)/events",
                                   body: #"{"topic": "heatpump-alarms", "payload": {"device_id": "hp-7"}}"#)
            reasons.append(r.body[member: "outcomes"].listValue?.first?[member: "reason"].stringValue ?? "")
        }
        #expect(reasons[1].hasPrefix("queued: "), "\(reasons)")
        #expect(reasons[2].hasPrefix("throttled: "), "\(reasons)")
        let loaded = try await http("GET", "\(server.base)/metrics").text
        #expect(series(loaded, "bpm_throttle_dropped_total") == "1", "\(loaded)")
        #expect(series(loaded, "bpm_throttle_queued_total") == "1")
        let check = try await Self.promtool(loaded, in: dir)
        #expect(check.status == 0, "promtool: \(check.output)")
    }

    /// Every operation has a unique operationId and a tag; the document names its servers and
    /// tags; `/ui/api` renders each operation readably, without signing in.
    @Test func theOpenAPIDocumentHasOperationIdsTagsAndServersAndAReadablePage() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try AuthTests().server(dir)
        defer { s.kill(SIGTERM) }
        let doc = try await http("GET", "\(s.base)/openapi.json").body
        let declared = Set((doc[member: "tags"].listValue ?? []).compactMap { $0[member: "name"].stringValue })
        #expect(declared.count >= 8)
        #expect(doc[member: "servers"].listValue?.first?[member: "url"] == "/")
        var ids: [String] = []
        for (path, item) in doc[member: "paths"].contextValue ?? [:] {
            for (method, op) in item.contextValue ?? [:] {
                let id = op[member: "operationId"].stringValue ?? ""
                #expect(id.range(of: "^[a-z][A-Za-z]+$", options: .regularExpression) != nil, "\(method) \(path): '\(id)'")
                let tags = (op[member: "tags"].listValue ?? []).compactMap(\.stringValue)
                #expect(tags.count == 1 && declared.contains(tags[0]), "\(method) \(path) has a declared tag")
                ids.append(id)
            }
        }
        #expect(ids.count >= 44)
        #expect(Set(ids).count == ids.count, "operationIds are unique")
        let page = try await http("GET", "\(s.base)/ui/api")
        #expect(page.status == 200 && page.contentType.hasPrefix("text/html"))
        for id in ids { #expect(page.text.contains("id=\"op-\(id)\""), "\(id) is on the page") }
        #expect(page.text.contains("<code>GET /processes</code>") && page.text.contains("id=\"schema-Instance\""))
    }

    /// The list queries: instances sorted and paged, incidents filtered; bad values are problems.
    @Test func instanceListsSortAndIncidentListsFilter() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try Self.waiter.write(to: defs.appendingPathComponent("waiter.yaml"), atomically: true, encoding: .utf8)
        try AuthTests.payment.write(to: defs.appendingPathComponent("payment.bpmn"), atomically: true, encoding: .utf8)
        let s = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { s.kill(SIGTERM) }
        var started: [String] = []
        for key in ["b", "c", "a"] {
            let r = try await http("POST", "\(s.base)/processes/waiter/start", body: #"{"businessKey": "\#(key)"}"#)
            started.append(try #require(r.body[member: "id"].stringValue))
        }
        func ids(_ query: String) async throws -> [String] {
            (try await http("GET", "\(s.base)/processes?\(query)").body[member: "items"].listValue ?? []).compactMap { $0[member: "id"].stringValue }
        }
        #expect(try await ids("definitionId=waiter") == started.reversed())
        #expect(try await ids("definitionId=waiter&sort=started&order=asc&limit=2&offset=1") == [started[1], started[2]])
        #expect(try await ids("definitionId=waiter&sort=businessKey&order=asc") == [started[2], started[0], started[1]])
        let bad = try await http("GET", "\(s.base)/processes?sort=duration")
        #expect(bad.status == 400 && bad.contentType == "application/problem+json")
        #expect(bad.body[member: "detail"] == "'sort' must be one of started, ended, definition, businessKey, got 'duration'")

        let payment = try #require(try await http("POST", "\(s.base)/processes/payment/start", body: "{}").body[member: "id"].stringValue)
        let activate = #"{"type": "charge-card", "worker": "w", "maxJobsToActivate": 1, "timeout": 60000}"#
        let job = try #require(try await http("POST", "\(s.base)/jobs/activate", body: activate).body[member: "jobs"].listValue?.first)
        _ = try await http("POST", "\(s.base)/jobs/\(job[member: "key"].interpolated)/fail", body: #"{"retries": 0, "errorMessage": "Card declined"}"#)
        func incidents(_ query: String) async throws -> [String] {
            (try await http("GET", "\(s.base)/incidents?\(query)").body[member: "items"].listValue ?? []).compactMap { $0[member: "instanceId"].stringValue }
        }
        #expect(try await incidents("definitionId=payment") == [payment])
        #expect(try await incidents("definitionId=waiter").isEmpty)
        #expect(try await incidents("elementId=charge&message=DECLINED") == [payment])
        #expect(try await incidents("message=accepted").isEmpty)
        #expect(try await incidents("limit=1&offset=1").isEmpty)
        #expect(try await http("GET", "\(s.base)/incidents?limit=x").status == 400)
        // the instance list marks the instance with the incident
        let list = try await http("GET", "\(s.base)/ui/instances").text
        #expect(list.contains("href=\"/ui/incidents?instanceId=\(payment)\""))
        #expect(list.components(separatedBy: "incident-marker").count == 2, "only that one is marked")
    }
}
