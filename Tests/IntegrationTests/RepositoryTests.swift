import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// Waits (polling the server, up to 20 s) until `check` holds.
func eventually(_ what: String, _ check: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        if try await check() { return }
        try await Task.sleep(nanoseconds: 50_000_000)  // polling the server's folder scan, not waiting on engine time
    }
    throw TestFailure("timed out waiting until \(what)")
}

let reviewV1 = """
    id: review
    name: Review
    activities:
      - id: review_task
        type: user
        candidate_groups: [reviewers]
      - id: done
        type: end
        result: {reviewed: v1}
    """

@Suite(.serialized) struct RepositoryTests {
    @Test func aWatchedFolderDeploysNewVersionsKeepsTheLastGoodOneAndRetiresRemovedFiles() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        let file = defs.appendingPathComponent("review.yaml")
        try reviewV1.write(to: file, atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs, extra: ["--watch-interval", "0.1"])
        defer { server.kill(SIGTERM) }

        // an instance waits on v1
        let first = try await http("POST", "\(server.base)/processes/review/start", body: "{}")
        #expect(first.status == 201)
        let firstId = try #require(first.body[member: "id"].stringValue)
        #expect(first.body[member: "definitionVersion"] == 1)

        // edit the file: v2 deploys; the running instance stays on v1
        try reviewV1.replacingOccurrences(of: "reviewed: v1", with: "reviewed: v2").write(to: file, atomically: true, encoding: .utf8)
        try await eventually("v2 is deployed") { try await http("GET", "\(server.base)/definitions/review").body[member: "version"] == 2 }
        let second = try await http("POST", "\(server.base)/processes/review/start", body: "{}")
        #expect(second.body[member: "definitionVersion"] == 2)
        #expect(try await http("GET", "\(server.base)/processes/\(firstId)").body[member: "definitionVersion"] == 1)

        // an invalid edit is reported and v2 stays active
        try reviewV1.replacingOccurrences(of: "type: end", with: "type: ending").write(to: file, atomically: true, encoding: .utf8)
        try await eventually("the invalid file is reported") {
            try await http("GET", "\(server.base)/deployments").body.listValue?.first?[member: "state"] == "invalid"
        }
        let report = try await http("GET", "\(server.base)/deployments").body.listValue![0]
        #expect(report[member: "errors"].listValue?.first?.stringValue?.contains("review.yaml:8:11: error: unknown activity type 'ending'") == true, "\(report)")
        #expect(report[member: "definitions"] == [["id": "review", "version": 2]])
        #expect(try await http("GET", "\(server.base)/definitions/review").body[member: "version"] == 2)
        #expect(try await http("POST", "\(server.base)/processes/review/start", body: "{}").body[member: "definitionVersion"] == 2)

        // versions, a version's source, and the diff between them
        let versions = try await http("GET", "\(server.base)/definitions/review/versions").body.listValue ?? []
        #expect(versions.map { $0[member: "version"] } == [1, 2])
        #expect(versions.map { $0[member: "latest"] } == [false, true])
        #expect(Set(versions.map { $0[member: "contentHash"] }).count == 2)
        let source = try await http("GET", "\(server.base)/definitions/review/versions/1/source")
        #expect(source.text == reviewV1 && source.contentType.hasPrefix("application/yaml"))
        let diff = try await http("GET", "\(server.base)/definitions/review/diff?from=1&to=2").body
        #expect(diff[member: "elements"][member: "changed"] == [["id": "done", "type": "endEvent", "changes": ["result: {reviewed: v1} → {reviewed: v2}"]]])
        #expect(try await http("GET", "\(server.base)/definitions/review/versions/9").status == 404)

        // removing the file retires the definition; the running v1 instance still finishes
        try FileManager.default.removeItem(at: file)
        try await eventually("the definition is retired") {
            try await http("POST", "\(server.base)/processes/review/start", body: "{}").status == 409
        }
        let tasks = try await http("GET", "\(server.base)/tasks?instanceId=\(firstId)").body[member: "items"].listValue ?? []
        let task = try #require(tasks.first { $0[member: "instanceId"].stringValue == firstId })
        let done = try await http("POST", "\(server.base)/tasks/\(task[member: "id"].interpolated)/complete", body: "{\"variables\": {}}")
        #expect(done.status == 200, "\(done.text)")
        try await eventually("the v1 instance completes") {
            let i = try await http("GET", "\(server.base)/processes/\(firstId)").body
            return i[member: "status"] == "completed" && i[member: "variables"][member: "reviewed"] == "v1"
        }
    }

    @Test func deployThroughTheAPIRecordsWhoAndSkipsIdenticalContent() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try subfolder("none", of: dir)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: empty)
        defer { server.kill(SIGTERM) }
        let file = dir.appendingPathComponent("review.yaml")
        try reviewV1.write(to: file, atomically: true, encoding: .utf8)

        let r1 = try await bpm(["deploy", file.path, "--server", server.base, "--deployed-by", "ci-pipeline"])
        #expect(r1.status == 0 && r1.stdout.contains("review v1 deployed"), "\(r1.stdout)\(r1.stderr)")
        let r2 = try await bpm(["deploy", file.path, "--server", server.base])
        #expect(r2.status == 0 && r2.stdout.contains("review v1 unchanged"))
        let versions = try await http("GET", "\(server.base)/definitions/review/versions").body.listValue ?? []
        #expect(versions.count == 1)
        #expect(versions.first?[member: "origin"] == "api by ci-pipeline (review.yaml)")

        let bad = dir.appendingPathComponent("bad.yaml")
        try "id: bad\nactivities:\n  - id: a\n    type: wait\n".write(to: bad, atomically: true, encoding: .utf8)
        let r3 = try await bpm(["deploy", file.path, bad.path, "--server", server.base])
        #expect(r3.status == 1)
        #expect(r3.stderr.contains("bad.yaml:4:11: error: unknown activity type 'wait'"))
        #expect(r3.stdout.isEmpty, "nothing is sent when a file is invalid")
    }

    @Test func backstageCatalogListsEveryActiveProcess() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: repoRoot.appendingPathComponent("examples"),
                                extra: ["--public-url", "https://bpm.example.com", "--catalog-owner", "group:iot-team"])
        defer { server.kill(SIGTERM) }
        let r = try await http("GET", "\(server.base)/backstage/catalog-info.yaml")
        #expect(r.status == 200 && r.contentType.hasPrefix("application/yaml"))
        let docs = r.text.components(separatedBy: "---\n").filter { !$0.isEmpty }
        #expect(docs.count == 11, "the API entity and one component per example")
        let temp = try #require(docs.first { $0.contains("name: \"temperature-control\"") })
        for line in ["kind: \"Component\"", "type: \"business-process\"", "owner: \"group:iot-team\"", "title: \"Temperature Control Process\"",
                     "url: \"https://bpm.example.com/definitions/temperature-control\"", "url: \"https://bpm.example.com/ui/definitions/temperature-control\"", "swift-bpm/topic: \"heatpump-telemetry\"",
                     "- \"swift-bpm-api\""] {
            #expect(temp.contains(line), "\(line)\n\(temp)")
        }
        // the document parses as YAML: Python's yaml (PyYAML ships with Debian's python3) reads every entity
        let dump = dir.appendingPathComponent("catalog.yaml")
        try r.text.write(to: dump, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import json,sys,yaml; print(json.dumps([d['metadata']['name'] for d in yaml.safe_load_all(open(sys.argv[1]))]))", dump.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        let names = try JSON.parse(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        #expect(names.listValue?.count == 11 && names.listValue?.contains("approval") == true, "\(names)")
    }

    @Test func bpmTestRunsTheExamplesAndExplainsAFailure() async throws {
        let ok = try await bpm(["test", "examples/"])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.split(separator: "\n").last?.hasSuffix(" passed, 0 failed") == true)
        #expect(ok.stdout.contains("✓ cooling fails and escalates"))

        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("examples/temperature-control.yaml"), to: dir.appendingPathComponent("temperature-control.yaml"))
        try """
        scenarios:
          - name: wrong on purpose
            variables: {device_id: hp1, temperature: 22.0, threshold: 25.0}
            expect:
              path: [start, check_temp, activate_cooling, wait_recheck]
        """.write(to: dir.appendingPathComponent("temperature-control.test.yaml"), atomically: true, encoding: .utf8)
        let junit = dir.appendingPathComponent("junit.xml")
        let bad = try await bpm(["test", dir.path, "--junit", junit.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("✗ wrong on purpose"))
        #expect(bad.stdout.contains("expected: start → check_temp → activate_cooling → wait_recheck"))
        #expect(bad.stdout.contains("actual:   start → check_temp → log_normal → end"))
        #expect(bad.stdout.hasSuffix("0 passed, 1 failed\n"))
        #expect(try String(contentsOf: junit, encoding: .utf8).contains("<testsuite name=\"temperature-control.test.yaml\""))
    }

    @Test func bpmNewWritesTemplatesThatValidateAndPass() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for t in ["threshold", "approval", "scheduled-check", "device-onboarding"] {
            let r = try await bpm(["new", t, "my-\(t)", "--dir", dir.path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try await bpm(["new", "threshold", "my-threshold", "--dir", dir.path]).status != 0, "an existing file is not overwritten")
        #expect(try await bpm(["new", "nope", "x", "--dir", dir.path]).stderr.contains("unknown template 'nope'"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { dir.appendingPathComponent($0).path }
        #expect(files.count == 8)
        let v = try await bpm(["validate"] + files)
        #expect(v.status == 0, "\(v.stderr)")
        let t = try await bpm(["test", dir.path])
        #expect(t.status == 0, "\(t.stdout)")
        #expect(t.stdout.hasSuffix("13 passed, 0 failed\n"))
    }

    @Test func bpmDiffShowsStructuralChangesAndExitsLikeDiff() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.yaml"), b = dir.appendingPathComponent("b.yaml")
        try reviewV1.write(to: a, atomically: true, encoding: .utf8)
        try ("# only a comment and a blank line differ\n\n" + reviewV1).write(to: b, atomically: true, encoding: .utf8)
        #expect(try await bpm(["diff", a.path, b.path]).status == 0)
        try reviewV1.replacingOccurrences(of: "  - id: done", with: """
          - id: notify
            type: service
            action: notify
            message: reviewed
          - id: done
        """).replacingOccurrences(of: "[reviewers]", with: "[reviewers, leads]").write(to: b, atomically: true, encoding: .utf8)
        let r = try await bpm(["diff", a.path, b.path])
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n").map(String.init) == [
            "+ element notify (serviceTask)",
            "~ element review_task: candidateGroups: [reviewers] → [reviewers, leads]",
            "+ flow review_task → notify",
            "+ flow notify → done",
            "- flow review_task → done",
        ])
        #expect(try await bpm(["diff", a.path, dir.appendingPathComponent("missing.yaml").path]).status == 2)
    }
}

/// Operator actions on running instances: migration to a newer version, and resolving an
/// incident without a retry.
@Suite struct OperatorActionTests {
    @Test func runningInstancesMigrateWhenTheirElementsMapAndAreRefusedWithTheReasonOtherwise() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try subfolder("defs", of: dir)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: empty)
        defer { server.kill(SIGTERM) }
        #expect(try await http("POST", "\(server.base)/definitions", body: reviewV1, contentType: "application/yaml").status == 201)
        let ids = try await (0..<3).asyncMap { _ in try await http("POST", "\(server.base)/processes/review/start", body: "{}").body[member: "id"].stringValue! }

        // v2 adds a step after the review: the instances waiting at review_task map
        let v2 = reviewV1.replacingOccurrences(of: "  - id: done", with: "  - id: extra\n    type: script\n    set: {extra: true}\n  - id: done")
        #expect(try await http("POST", "\(server.base)/definitions", body: v2, contentType: "application/yaml").body[member: "version"] == 2)
        let m = try await http("POST", "\(server.base)/processes/\(ids[0])/migrate", body: "{\"targetVersion\": 2}")
        #expect(m.status == 200, "\(m.text)")
        #expect(m.body[member: "definitionVersion"] == 2)
        let history = try await http("GET", "\(server.base)/processes/\(ids[0])/history").body.listValue ?? []
        #expect(history.contains { $0[member: "event"] == "migrated" && $0[member: "data"] == ["fromVersion": 1, "toVersion": 2] })
        let task = try #require(try await http("GET", "\(server.base)/tasks?instanceId=\(ids[0])").body[member: "items"].listValue?.first)
        let done = try await http("POST", "\(server.base)/tasks/\(task[member: "id"].interpolated)/complete", body: "{}")
        #expect(done.body[member: "variables"][member: "extra"] == true, "the migrated instance follows version 2")

        // v3 renames the waiting element: no clear mapping, refused with the reason
        let v3 = reviewV1.replacingOccurrences(of: "review_task", with: "review_step")
        #expect(try await http("POST", "\(server.base)/definitions", body: v3, contentType: "application/yaml").body[member: "version"] == 3)
        let refused = try await http("POST", "\(server.base)/processes/\(ids[1])/migrate", body: "{}")
        #expect(refused.status == 409)
        #expect(refused.body[member: "detail"].stringValue?.contains("cannot migrate to version 3: the instance waits at 'review_task' which does not exist in version 3") == true
                || refused.body[member: "detail"].stringValue?.contains("'review_task' does not exist in version 3") == true, "\(refused.text)")
        #expect(try await http("GET", "\(server.base)/processes/\(ids[1])").body[member: "definitionVersion"] == 1, "nothing changed")

        // batch: every instance still on version 1 moves to version 2
        let batch = try await http("POST", "\(server.base)/batch/migrate", body: "{\"filter\": {\"definitionId\": \"review\", \"status\": \"running\"}, \"targetVersion\": 2}")
        #expect(batch.body[member: "applied"] == 2, "\(batch.text)")
        #expect(try await http("GET", "\(server.base)/processes/\(ids[2])").body[member: "definitionVersion"] == 2)
    }

    @Test func anIncidentIsResolvedWithoutARetryByStandingInForTheResult() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: lookup
        activities:
          - id: fetch
            type: service
            action: mqtt_publish
            topic: t
          - id: use
            type: script
            set: {answer: value * 2}
        """.write(to: defs.appendingPathComponent("lookup.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        let id = try #require(try await http("POST", "\(server.base)/processes/lookup/start", body: "{}").body[member: "id"].stringValue)
        var incident: Value = .null
        try await eventually("the unconfigured action raises an incident") {
            incident = try await http("GET", "\(server.base)/incidents?instanceId=\(id)").body[member: "items"].listValue?.first ?? .null
            return !incident.isNull
        }
        let r = try await http("POST", "\(server.base)/incidents/\(incident[member: "id"].interpolated)/resolve", body: "{\"variables\": {\"value\": 21}}")
        #expect(r.status == 200, "\(r.text)")
        #expect(r.body[member: "status"] == "completed")
        #expect(r.body[member: "variables"][member: "answer"] == 42)
        let again = try await http("POST", "\(server.base)/incidents/\(incident[member: "id"].interpolated)/resolve", body: "{}")
        #expect(again.status == 409)
    }
}

extension Sequence {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}

@Suite struct QueryAPITests {
    @Test func instancesAndTasksAreFilteredByVariablesVersionTimeDueDateAndPriority() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        let def = """
            id: ask
            activities:
              - id: answer
                type: user
                priority: 70
                due: 2d
                follow_up: 1h
            """
        #expect(try await http("POST", "\(server.base)/definitions", body: def, contentType: "application/yaml").status == 201)
        for d in ["hp1", "hp2", "hp1"] {
            #expect(try await http("POST", "\(server.base)/processes/ask/start", body: "{\"variables\": {\"device\": \"\(d)\", \"level\": 3}}").status == 201)
        }
        let byVar = try await http("GET", "\(server.base)/processes?var.device=hp1&var.level=3").body[member: "items"].listValue ?? []
        #expect(byVar.count == 2)
        #expect((try await http("GET", "\(server.base)/processes?var.device=hp9").body[member: "items"].listValue ?? []).isEmpty)
        // the OpenAPI deepObject form means the same; a nested name is refused
        #expect((try await http("GET", "\(server.base)/processes?var%5Bdevice%5D=hp1&var%5Blevel%5D=3").body[member: "items"].listValue ?? []).count == 2)
        let nested = try await http("GET", "\(server.base)/processes?var%5Bdevice%5D%5Bx%5D=hp1")
        #expect(nested.status == 400 && nested.body[member: "detail"] == "'var[NAME]' takes one variable name (variables are matched at the top level), got 'var[device][x]'")
        #expect((try await http("GET", "\(server.base)/processes?definitionVersion=1&startedAfter=2000-01-01T00:00:00Z").body[member: "items"].listValue ?? []).count == 3)
        #expect((try await http("GET", "\(server.base)/processes?startedBefore=2000-01-01T00:00:00Z").body[member: "items"].listValue ?? []).isEmpty)
        let bad = try await http("GET", "\(server.base)/processes?startedAfter=yesterday")
        #expect(bad.status == 400 && bad.body[member: "detail"].stringValue?.contains("'startedAfter' must be an ISO 8601 date and time") == true)

        let tasks = try await http("GET", "\(server.base)/tasks?definitionId=ask&minPriority=60&sort=due").body[member: "items"].listValue ?? []
        #expect(tasks.count == 3)
        #expect(tasks.allSatisfy { $0[member: "dueAt"].stringValue != nil && $0[member: "followUpAt"].stringValue != nil })
        #expect((try await http("GET", "\(server.base)/tasks?minPriority=80").body[member: "items"].listValue ?? []).isEmpty)
        #expect((try await http("GET", "\(server.base)/tasks?dueBefore=2000-01-01T00:00:00Z").body[member: "items"].listValue ?? []).isEmpty)
        #expect(try await http("GET", "\(server.base)/tasks?sort=random").status == 400)
    }
}

@Suite struct MetricsTests {
    /// A server on a fresh SQLite store with the review process, for `body`; removed after.
    func withReviewServer(_ body: (Server) async throws -> Void) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try reviewV1.write(to: defs.appendingPathComponent("review.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        try await body(server)
    }

    @Test func metricsCountWhatWasCommittedInThePrometheusFormat() async throws {
        try await withReviewServer { server in try await countsWhatWasCommitted(server) }
    }

    func countsWhatWasCommitted(_ server: Server) async throws {
        for _ in 0..<3 { #expect(try await http("POST", "\(server.base)/processes/review/start", body: "{}").status == 201) }
        let task = try #require(try await http("GET", "\(server.base)/tasks").body[member: "items"].listValue?.first)
        #expect(try await http("POST", "\(server.base)/tasks/\(task[member: "id"].interpolated)/complete", body: "{}").status == 200)
        _ = try await http("POST", "\(server.base)/events", body: "{\"topic\": \"nobody-listens\", \"payload\": {}}")

        let m = try await http("GET", "\(server.base)/metrics")
        #expect(m.status == 200 && m.contentType.hasPrefix("text/plain"))
        let lines = m.text.split(separator: "\n").map(String.init)
        func value(_ name: String, _ labels: [String]) -> Double? {
            lines.first { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value("bpm_instances_started_total", ["definition=\"review\"", "version=\"1\""]) == 3)
        #expect(value("bpm_instances_completed_total", ["definition=\"review\""]) == 1)
        #expect(value("bpm_tasks_created_total", ["definition=\"review\""]) == 3)
        #expect(value("bpm_elements_completed_total", ["element=\"review_task\"", "type=\"userTask\""]) == 1)
        #expect(value("bpm_instance_duration_seconds_count", ["definition=\"review\""]) == 1)
        #expect(value("bpm_events_received_total", ["topic=\"nobody-listens\""]) == 1)
        #expect(lines.contains { $0.hasPrefix("bpm_store_commit_duration_seconds_bucket") })
        #expect(lines.contains { $0.hasPrefix("# TYPE bpm_instances_started_total counter") })
        #expect(!m.text.contains(task[member: "instanceId"].interpolated), "no instance ids in labels")
    }

    /// The embedded store's log is checkpointed beside the commits, and that shows on /metrics.
    @Test func sqliteCheckpointsAreCounted() async throws {
        try await withReviewServer { server in try await countsCheckpoints(server) }
    }

    func countsCheckpoints(_ server: Server) async throws {
        // about 3 MiB of log (200 KB of variables per instance); a checkpoint is asked for at 1 MiB
        let big = String(repeating: "x", count: 200_000)
        for _ in 0..<30 { #expect(try await http("POST", "\(server.base)/processes/review/start", body: "{\"blob\": \"\(big)\"}").status == 201) }
        func done() async throws -> Double? {
            try await http("GET", "\(server.base)/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix("bpm_sqlite_checkpoints_total{") && $0.contains("outcome=\"done\"") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        try await eventually("a checkpoint is counted") { (try await done() ?? 0) >= 1 }
        let text = try await http("GET", "\(server.base)/metrics").text
        #expect(text.contains("bpm_sqlite_checkpoint_duration_seconds_count"))
        // the failed series is there from the start, at 0
        #expect(text.contains("bpm_sqlite_checkpoints_total{outcome=\"failed\"} 0\n"))
    }
}

extension MetricsTests {
    @Test func theGrafanaDashboardOnlyUsesMetricsTheEngineEmits() async throws {
        let dashboard = try JSON.parse(String(contentsOf: repoRoot.appendingPathComponent("deploy/grafana/swift-bpm-dashboard.json"), encoding: .utf8))
        let source = try String(contentsOf: repoRoot.appendingPathComponent("Sources/BPMRuntime/EngineMetrics.swift"), encoding: .utf8)
        let panels = dashboard[member: "panels"].listValue ?? []
        #expect(panels.count >= 10)
        var names: Set<String> = []
        for p in panels {
            for t in p[member: "targets"].listValue ?? [] {
                let expr = t[member: "expr"].stringValue ?? ""
                let regex = try NSRegularExpression(pattern: "bpm_[a-z_]+")
                for m in regex.matches(in: expr, range: NSRange(expr.startIndex..., in: expr)) {
                    var name = String(expr[Range(m.range, in: expr)!])
                    for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
                    names.insert(name)
                }
            }
        }
        #expect(names.count >= 15)
        for n in names.sorted() {
            let declared = source.contains("\"\(n)\"") || (n.hasPrefix("bpm_instances_") && n.hasSuffix("_total") && source.contains("\"bpm_instances_\\(k.event)_total\""))
            #expect(declared, "\(n) is not emitted by EngineMetrics")
        }
    }
}

extension MetricsTests {
    @Test func jsonLogLinesCarryTheInstanceAndElement() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try "id: fails\nactivities:\n  - id: send\n    type: service\n    action: mqtt_publish\n    topic: t\n".write(to: defs.appendingPathComponent("fails.yaml"), atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("log.jsonl")
        // the last --log-level wins over the helper's
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs, extra: ["--log-format", "json", "--log-level", "debug"], stderr: log)
        defer { server.kill(SIGTERM) }
        let id = try #require(try await http("POST", "\(server.base)/processes/fails/start", body: "{}").body[member: "id"].stringValue)
        var lines: [Value] = []
        try await eventually("the incident is logged") {
            lines = (try String(contentsOf: log, encoding: .utf8)).split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
            return lines.contains { $0[member: "message"].stringValue?.hasPrefix("incident at send") == true }
        }
        let incident = try #require(lines.first { $0[member: "message"].stringValue?.hasPrefix("incident at send") == true })
        #expect(incident[member: "level"] == "warning")
        #expect(incident[member: "instance"] == .string(id))
        #expect(incident[member: "element"] == "send")
        #expect(incident[member: "definition"] == "fails")
        #expect(lines.contains { $0[member: "level"] == "debug" && $0[member: "instance"] == .string(id) && $0[member: "element"] == "send" })
        #expect(lines.allSatisfy { $0[member: "time"].stringValue != nil && $0[member: "logger"].stringValue != nil })
    }
}

/// The web UI, through a real HTTP client: pages render what the API knows.
@Suite struct WebUITests {
    @Test func pagesShowDefinitionsDiagramsInstancesTasksAndFollowAnInstanceLive() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: repoRoot.appendingPathComponent("examples"))
        defer { server.kill(SIGTERM) }
        let ev = #"{"topic": "approval-requests", "payload": {"tags": {"request_id": "r1"}, "fields": {"amount": 500, "requester": "ann@example.com", "action": "buy <pump>"}}}"#
        let started = try await http("POST", "\(server.base)/events", body: ev)
        let id = try #require(started.body[member: "outcomes"].listValue?.first?[member: "instanceId"].stringValue)

        let home = try await http("GET", "\(server.base)/")
        #expect(home.status == 200 && home.contentType.hasPrefix("text/html"))
        #expect(home.text.contains("href=\"/ui/definitions/temperature-control\""))

        let def = try await http("GET", "\(server.base)/ui/definitions/approval")
        #expect(def.text.contains("<svg"))
        for element in ["create_request", "wait_for_approval", "approved_check", "wait_for_approval_timeout"] {
            #expect(def.text.contains("data-element=\"\(element)\""), "\(element) is drawn")
        }
        #expect(def.text.contains("class=\"badge waiting\""), "the waiting instance shows on the diagram")

        let list = try await http("GET", "\(server.base)/ui/instances?definitionId=approval&status=running")
        #expect(list.text.contains("/ui/instances/\(id)"))

        let page = try await http("GET", "\(server.base)/ui/instances/\(id)")
        #expect(page.text.contains("buy &lt;pump&gt;"), "variables are shown, escaped")
        #expect(page.text.contains("EventSource('/ui/instances/\(id)/events')"))

        let inbox = try await http("GET", "\(server.base)/ui/tasks?group=managers")
        #expect(inbox.text.contains("type=\"checkbox\" name=\"approved\""), "the form comes from the task's JSON Schema")
        #expect(inbox.text.contains("name=\"comment\""))

        // live: the event stream reports the instance's next step
        let curl = try Spawned.start(["/usr/bin/curl", "-sN", "--max-time", "10", "\(server.base)/ui/instances/\(id)/events"])
        try await Task.sleep(nanoseconds: 800_000_000)  // let the stream connect before the change
        let task = try #require(try await http("GET", "\(server.base)/tasks?instanceId=\(id)").body[member: "items"].listValue?.first)
        #expect(try await http("POST", "\(server.base)/tasks/\(task[member: "id"].interpolated)/complete", body: #"{"variables": {"approved": true}}"#).status == 200)
        let stream = await curl.finished().output
        #expect(stream.contains("data: {\"revision\""), "\(stream)")
    }
}

extension WebUITests {
    /// Every BPMN-MIWG model (executable or not) is drawn at its diagram-interchange
    /// coordinates with every flow node (`bpm graph --format svg`, what the UI shows); the
    /// SVGs are saved for a look.
    @Test func miwgModelsAreDrawnWithEveryElement() async throws {
        let miwg = repoRoot.appendingPathComponent("../shared/conformance/bpmn-miwg")
        let files = try FileManager.default.contentsOfDirectory(atPath: miwg.path).filter { $0.hasSuffix(".bpmn") }.sorted()
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-miwg-diagrams")
        try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        var drawn = 0
        for f in files {
            let path = miwg.appendingPathComponent(f).path
            let svg = try await bpm(["graph", path, "--format", "svg"])
            #expect(svg.status == 0, "\(f): \(svg.stderr)")
            try svg.stdout.write(to: saved.appendingPathComponent(f + ".svg"), atomically: true, encoding: .utf8)
            if svg.stderr.contains("not executable, drawn from its diagram only") {
                // refused by the engine (B.2.0's conditional events, docs/bpmn.md): drawn from its
                // diagram interchange, every shape of it
                #expect(f == "B.2.0.bpmn", "\(f): \(svg.stderr)")
                let source = try String(contentsOfFile: path, encoding: .utf8)
                let shapeIds = source.components(separatedBy: "BPMNShape ").dropFirst().compactMap { chunk -> String? in
                    guard let r = chunk.range(of: #"bpmnElement="([^"]+)""#, options: .regularExpression) else { return nil }
                    return String(chunk[r].dropFirst(13).dropLast())
                }
                #expect(shapeIds.count > 50)
                for id in shapeIds { #expect(svg.stdout.contains("data-element=\"\(id)\""), "\(f): \(id) is drawn") }
                drawn += 1
                continue
            }
            let ids = try await bpm(["graph", path]).stdout.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("    "), let id = line.dropFirst(2).split(separator: " ").first else { return nil }
                return String(id)
            }
            #expect(ids.count >= 3, "\(f)")
            for id in ids { #expect(svg.stdout.contains("data-element=\"\(id)\""), "\(f): \(id) is drawn") }
            #expect(svg.stdout.hasPrefix("<svg"))
            drawn += 1
        }
        #expect(drawn == files.count)
        print("MIWG diagrams drawn: \(drawn) of \(files.count) (saved in \(saved.path))")
    }
}

extension WebUITests {
    /// The UI in a real browser (Debian's chromium, headless, driven by Selenium from PyPI):
    /// claim and complete a task through the generated form, and watch an open instance page
    /// follow the instance without a reload.
    @Test func inARealBrowserATaskIsClaimedAndCompletedAndTheInstancePageFollows() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: repoRoot.appendingPathComponent("examples"))
        defer { server.kill(SIGTERM) }
        let ev = #"{"topic": "approval-requests", "payload": {"tags": {"request_id": "b1"}, "fields": {"amount": 500, "requester": "ann@example.com", "action": "buy pump"}}}"#
        let id = try #require(try await http("POST", "\(server.base)/events", body: ev).body[member: "outcomes"].listValue?.first?[member: "instanceId"].stringValue)
        let script = repoRoot.appendingPathComponent("Tests/IntegrationTests/browser/ui_test.py").path
        let r = try await Spawned.completion(of: ["python3", script, server.base, id])
        print(r.output)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("ok   the open instance page followed the instance"))
    }
}
