import BPMExpressions
import BPMModel
import BPMTestSupport
import Foundation
import Testing

@Suite struct CLITests {
    @Test func validateAcceptsThePlanExampleAndEveryExample() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.map { "examples/\($0)" }.sorted()
        #expect(files.count == 10)
        let r = try await bpm(["validate"] + files)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 10)
        #expect(r.stderr.isEmpty, "the examples give no warnings: \(r.stderr)")
    }

    /// A quoted YAML string is a string constant as written: one wrapped in double quotes
    /// inside (`'"pending"'`) keeps them, a likely mistake, so validate warns and still passes.
    @Test func validateWarnsAboutAStringQuotedTwice() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("quotes.yaml")
        try """
        id: quotes
        activities:
          - id: a
            type: script
            set:
              twice: '"pending"'
              once: "pending"
              single: 'pending'
              feel: if true then "x" else "y"
          - id: b
            type: service
            action: notify
            channel: '"email"'
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try await bpm(["validate", file.path])
        #expect(r.status == 0, "warnings do not fail validate: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").map(String.init) == [
            "\(file.path):6:14: warning: set.twice is the text \"pending\" with its double quotes: a quoted YAML value is "
                + "already a string (plain text is an expression); for the string pending write twice: \"pending\"",
            "\(file.path):13:14: warning: channel is the text \"email\" with its double quotes: a quoted YAML value is "
                + "already a string (plain text is an expression); for the string email write channel: \"email\"",
        ])
        #expect(r.stdout.contains("quotes.yaml: ok"))
    }

    @Test func validateReportsEveryErrorWithItsLocation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml")
        try """
        id: bad
        activities:
          - id: a
            type: decision
            condition: x >
            true_path: b
          - id: b
            type: timer
            duration: soon
        """.write(to: bad, atomically: true, encoding: .utf8)
        let r = try await bpm(["validate", bad.path, "examples/approval.yaml"])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(bad.path):5:19: error: invalid expression in condition: unexpected end of expression",
            "\(bad.path):9:15: error: duration: invalid duration 'soon': expected a number, e.g. 30s, 5m, 1h30m or PT5M",
        ])
        #expect(r.stdout.contains("examples/approval.yaml: ok"))
    }

    /// Camunda 8 models as Camunda deploys them: static inputs deploy; a dead-end start event is a
    /// warning that leaves the file valid.
    @Test func validatePrintsWarningsAndAcceptsCamundaTemplateModels() async throws {
        let files = ["Tests/Fixtures/camunda8/agent-prompt.bpmn", "Tests/Fixtures/camunda8/rest-connector.bpmn"]
        let r = try await bpm(["validate"] + files)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").map(String.init) == [
            "Tests/Fixtures/camunda8/agent-prompt.bpmn:11:5: warning: start event 'draftStart' has no outgoing flow: "
                + "its instances end at once",
        ])
        #expect(r.stdout.contains("Tests/Fixtures/camunda8/rest-connector.bpmn: ok"))
    }

    /// Every limit's error names an option `bpm serve` has.
    @Test func everyLimitNamesAServeOption() async throws {
        let r = try await bpm(["serve", "--help"])
        #expect(r.status == 0, "\(r.stderr)")
        for option in Limits.Option.allCases { #expect(r.stdout.contains(option.rawValue + " "), "\(option.rawValue)") }
    }

    /// The benchmark's intake rows run on every store named, SQLite first (a check of the
    /// command and its JSON; the figures come from release builds, not from here).
    @Test func benchIntakeMeasuresEveryStoreNamed() async throws {
        let pg = try TestPostgres.server()
        let r = try await bpm(["bench", "--intake", "--events", "2000", "--scenario", "intake-filter", "--store", pg.url("postgres"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSON.parse(r.stdout).listValue ?? []
        #expect(rows.map { $0[member: "store"] } == ["sqlite", "postgres"])
        #expect(rows.allSatisfy { $0[member: "name"] == "intake-filter" && $0[member: "events"] == 2000 && $0[member: "instances_started"] == 0 })
    }

    func runJSON(_ args: [String], status: Int32 = 0) async throws -> Value {
        let r = try await bpm(["run"] + args)
        #expect(r.status == status, "\(r.stderr)")
        return try JSON.parse(r.stdout)
    }

    @Test func runCoolsAndSucceedsWhenTheSecondReadingIsNormal() async throws {
        let out = try await runJSON(["examples/temperature-control.yaml",
                               "--event", #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":27.5}}"#,
                               "--event", #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":22.0}}"#, "--dry-run", "--json"])
        #expect(out[member: "status"] == "completed")
        let completed = (out[member: "history"].listValue ?? []).filter { $0[member: "event"] == "completed" && $0[member: "elementType"] != "process" }
            .map { $0[member: "elementId"].stringValue ?? "" }
        #expect(completed == ["start", "check_temp", "activate_cooling", "wait_recheck", "recheck_temp", "log_success", "end"])
        #expect(out[member: "effects"] == [
            ["action": "mqtt_publish", "payload": ["topic": "home/heatpump/control", "payload": ["device_id": "hp1", "command": "activate_cooling"]]],
            ["action": "database_log", "payload": ["message": "Cooling successful"]],
        ])
        #expect(out[member: "variables"] == ["device_id": "hp1", "temperature": 22, "threshold": 25])
        #expect(out[member: "incidents"] == [])
        for h in out[member: "history"].listValue ?? [] {
            #expect(h[member: "at"].stringValue?.hasSuffix("Z") == true)
        }
    }

    @Test func runEscalatesWhenTheSecondReadingIsStillHigh() async throws {
        let out = try await runJSON(["examples/temperature-control.yaml",
                               "--event", #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":27.5}}"#,
                               "--event", #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":28.0}}"#, "--dry-run", "--json"])
        #expect(out[member: "status"] == "completed")
        let ids = (out[member: "history"].listValue ?? []).filter { $0[member: "event"] == "completed" }.compactMap { $0[member: "elementId"].stringValue }
        #expect(ids.contains("escalate"))
        #expect(!ids.contains("log_success"))
    }

    @Test func runWithoutDryRunRaisesAnIncidentForAnUnconfiguredAction() async throws {
        // an instance left on an incident is not a success: exit 1
        let out = try await runJSON(["examples/temperature-control.yaml", "--event", #"{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":27.5}}"#, "--json"],
                                    status: 1)
        #expect(out[member: "status"] == "waiting")
        #expect(out[member: "incidents"][member: "elementId"] == ["activate_cooling"])
        #expect(out[member: "incidents"].listValue?.first?[member: "message"].stringValue?.contains("mqtt_publish") == true)
    }

    @Test func runWithVariablesReadsJSONOrText() async throws {
        let out = try await runJSON(["examples/temperature-control.yaml", "--var", "temperature=21", "--var", "threshold=25",
                               "--var", "device_id=hp7", "--var", #"meta={"room":"b2"}"#, "--dry-run", "--json"])
        #expect(out[member: "status"] == "completed")
        #expect(out[member: "variables"][member: "device_id"] == "hp7")
        #expect(out[member: "variables"][member: "meta"] == ["room": "b2"])
        #expect(out[member: "effects"] == [["action": "database_log", "payload": ["message": "Temperature normal: 21°C"]]])
    }

    @Test func runPrintsTheSameShapeForBPMN() async throws {
        let out = try await runJSON(["../shared/peer/bench_usertask.bpmn", "--dry-run", "--json"])
        #expect(out[member: "status"] == "waiting")
        let ids = (out[member: "history"].listValue ?? []).compactMap { $0[member: "elementId"].stringValue }
        #expect(ids.first == "bench_usertask")
        #expect(ids.contains("set_x"))
        #expect(out[member: "waitingAt"] == [["elementId": "approve", "waitingFor": "user task"]])
        #expect(out[member: "effects"].listValue?.first?[member: "action"] == "script")
        #expect(out[member: "incidents"] == [])
        let rejected = try await bpm(["run", "../shared/conformance/bpmn-miwg/B.2.0.bpmn"])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("error: unsupported element 'bpmn:"))
    }

    @Test func decideAndTCK() async throws {
        let model = "../shared/conformance/dmn-tck/compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn"
        let ok = try await bpm(["decide", model, "--decision", "Approval Status", "--input", #"{"Age": 18, "RiskCategory": "Medium", "isAffordable": true}"#])
        #expect(ok.status == 0)
        #expect(ok.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #""Approved""#)
        let bad = try await bpm(["decide", model, "--decision", "Nope", "--input", "{}"])
        #expect(bad.status == 1)
        #expect((try? JSON.parse(bad.stdout))?[member: "error"].stringValue?.contains("no decision 'Nope'") == true)
        let tck = try await bpm(["tck", "../shared/conformance/dmn-tck/compliance-level-2"])
        #expect(tck.status == 0)
        #expect(tck.stdout.hasSuffix("126 passed, 0 failed\n"))
        #expect(tck.stdout.contains("0004-simpletable-U: 3/3\n"))
        #expect(tck.stdout.contains("\n 100.0  0004-simpletable-U: 3/3\n"))
    }

    @Test func badArgumentsGetClearErrors() async throws {
        let r = try await bpm(["run", "examples/temperature-control.yaml", "--event", "{not json"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--event #1 is not valid JSON"))
        let missing = try await bpm(["validate", "no/such/file.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no/such/file.yaml:1:1: error: cannot read file"))
    }

    @Test func serveReadsAConfigFileAndChecksBrokerOptions() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("bpm.env")
        try "# engine settings\nBPM_LIFECYCLE_TOPIC=bpm-lifecycle\nBPM_STORE=\"sqlite:\(dir.path)/x.sqlite\"\n".write(to: config, atomically: true, encoding: .utf8)
        let r = try await bpm(["serve", "--config", config.path, "--port", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--lifecycle-topic needs --kafka-brokers"), "the file's variables were read: \(r.stderr)")
        let badOption = try await bpm(["serve", "--store", "sqlite:\(dir.path)/y.sqlite", "--kafka-brokers", "127.0.0.1:1", "--kafka-option", "no-equals-sign"])
        #expect(badOption.stderr.contains("--kafka-option takes NAME=value, not 'no-equals-sign'"))
        let badURL = try await bpm(["serve", "--store", "sqlite:\(dir.path)/z.sqlite", "--mqtt-url", "http://broker"])
        #expect(badURL.stderr.contains("an MQTT URL looks like mqtt://host:1883"))
        let missing = try await bpm(["serve", "--config", dir.appendingPathComponent("none.env").path])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the config file"))
    }

    @Test func graphShowsTheResolvedFlow() async throws {
        let r = try await bpm(["graph", "examples/temperature-control.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("  log_normal [service database_log]\n    → end\n"))
        #expect(r.stdout.contains("  activate_cooling [service mqtt_publish]\n    → wait_recheck\n"))
        let dot = try await bpm(["graph", "--format", "dot", "examples/temperature-control.yaml"])
        #expect(dot.stdout.hasPrefix("digraph \"temperature-control\""))
    }
}
