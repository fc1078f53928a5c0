import BPMExpressions
import BPMModel
import BPMRuntime
@testable import BPMTooling
import Foundation
import Testing

/// `bpm import iot-events`: detector models written from the AWS IoT Events documentation
/// (Tests/Fixtures/iot-events) become processes that load, and run as the detector would.
@Suite struct IoTEventsImportTests {
    static let fixtures = repoRoot.appendingPathComponent("Tests/Fixtures/iot-events")

    func convert(_ name: String,
        _ configure: (inout IoTEventsImport.Options) -> Void = { _ in }) throws -> IoTEventsImport.Output {
        let file = Self.fixtures.appendingPathComponent(name).path
        var options = IoTEventsImport.Options()
        configure(&options)
        return try IoTEventsImport.convert(text: try String(contentsOfFile: file, encoding: .utf8), file: file,
            options: options)
    }

    func load(_ yaml: String) throws -> ProcessDefinition {
        let defs = try DefinitionLoader.parseAll(source: yaml, file: "imported.yaml")
        return try #require(defs.first)
    }

    func element(_ def: ProcessDefinition, _ id: String) throws -> FlowElement {
        try #require(def.elements.first { $0.id == id }, "no element \(id)")
    }

    @Test func theHeartbeatModelMapsCompletelyToAProcessThatLoads() throws {
        let out = try convert("heartbeat.json")
        #expect(out.unmapped.isEmpty, "\(out.unmapped)")
        let def = try load(out.yaml)
        #expect(def.id == "heatpump-heartbeat")
        #expect(def.trigger?.topic == "HeartbeatInput")
        #expect(out.yaml.contains("correlation_key: iot_key"))
        #expect(out.yaml.contains("  - name: iot_key\n    source: deviceId"))
        // each state waits for the next input, with a timeout at the earliest armed timer
        guard case .messageCatchEvent(let md) = try element(def, "online_wait").kind else {
            Issue.record("online_wait is not a receive")
            return
        }
        #expect(md.name == "HeartbeatInput" && md.topic == "HeartbeatInput" && md.keyPath == "deviceId")
        guard case .boundaryEvent(let b) = try element(def,
            "online_wait_timeout").kind, case .timer(let t) = b.trigger else {
            Issue.record("online_wait has no timeout")
            return
        }
        #expect(t.unarmedWhenNull)
        #expect(t.text == "=min(for t in [iot_timer_heartbeat][item != null] return date and time(t))")
        // setTimer, resetTimer, the transition on timeout("heartbeat"), the alert on entering Offline
        #expect(out.yaml.contains("iot_timer_heartbeat_seconds: 300"))
        #expect(out.yaml.contains(
            "iot_timer_heartbeat: if iot_timer_heartbeat = null then null else "
                + "string(now() + duration(\"PT\" + string(iot_timer_heartbeat_seconds) + \"S\"))"))
        #expect(out.yaml.contains("condition: iot_timeout_heartbeat"))
        #expect(out.yaml.contains("action: mqtt_publish\n    topic: \"heatpumps/${device}/alerts\""))
        #expect(out.yaml.contains(#"payload: "{\"device\": \"${device}\", "#
            + #"\"status\": \"offline\", \"battery\": ${var_battery}}""#))
        #expect(out.yaml.contains("condition: (reconnects = null)"))
    }

    @Test func aThresholdDetectorKeepsCountersInVariablesAndMapsLambdaAndSNS() throws {
        let out = try convert("threshold.json")
        #expect(out.unmapped.map(\.description) == [
            "$.detectorModel.detectorModelDefinition.states[0].onInput.transitionEvents[0].actions[1]"
                + ".lambda.functionArn: not mapped: Lambda function "
                + "arn:aws:lambda:eu-central-1:123456789012:function:open-ticket: the http step "
                + "calls the placeholder https://lambda.invalid/open-ticket; give its URL with --lambda-url",
        ])
        let def = try load(out.yaml)
        #expect(def.id == "flow-temperature-alarm")
        #expect(out.yaml.contains("source: sensor.id"), "a nested key")
        #expect(out.yaml.contains("condition: (sensor.flowTempC > 55)"))
        #expect(out.yaml.contains("condition: ((sensor.flowTempC <= 55) and (highCount > 0))"))
        #expect(out.yaml.contains("highCount: (highCount + 1)"))
        #expect(out.yaml.contains("condition: ((sensor.flowTempC < 50) or not((sensor.reset = null)))"))
        #expect(out.yaml.contains("action: notify"))
        #expect(out.yaml.contains(#"message: "${(((\"Flow temperature \" + string(peak)) + \" C on "#
            + #"sensor \") + sensor.id)}""#))
        #expect(out.yaml.contains("target_arn: \"arn:aws:sns:eu-central-1:123456789012:heatpump-oncall\""))
        let given = try convert("threshold.json") { $0.lambdaURL = "https://tickets.example.com/open" }
        #expect(given.unmapped.isEmpty)
        #expect(given.yaml.contains("url: \"https://tickets.example.com/open\""))
    }

    /// The imported threshold detector runs on the simulated engine: three hot readings in a
    /// row open a ticket (the Lambda, over HTTP) and page (SNS, as notify); a cool one resets.
    @Test func theImportedThresholdDetectorCountsAndAlarms() async throws {
        let out = try convert("threshold.json") { $0.lambdaURL = "https://tickets.example.com/open" }
        let file = try scenarioFixture(definition: out.yaml, test: """
            scenarios:
              - name: three hot readings alarm, a cool one resets
                steps:
                  - event: {sensor: {id: s1, flowTempC: 56}}
                  - event: {sensor: {id: s1, flowTempC: 50}}
                  - event: {sensor: {id: s1, flowTempC: 57}}
                  - event: {sensor: {id: s1, flowTempC: 58}}
                  - event: {sensor: {id: s1, flowTempC: 61}}
                  - event: {sensor: {id: s1, flowTempC: 45}}
                expect:
                  status: waiting
                  waiting: [normal_wait]
                  variables: {iot_state: Normal, highCount: 0, peak: 61}
                  calls:
                    - action: http
                      payload: {url: "https://tickets.example.com/open", body: '{"sensor": "s1", "peak": 61}'}
                    - action: notify
                      payload: {message: Flow temperature 61 C on sensor s1}
            """, name: "flow-temperature-alarm")
        let r = try #require(await ProcessTestRunner.run(file: file).first)
        #expect(r.passed, "\(r.failures.joined(separator: "\n"))")
    }

    @Test func whatCannotBeMappedIsListedWithItsJSONPath() throws {
        let out = try convert("unmappable.json")
        let p = "$.detectorModelDefinition.states"
        #expect(out.unmapped.map(\.description) == [
            "$.evaluationMethod: not mapped: BATCH evaluation; the process evaluates SERIAL (each "
                + "action sees the ones before it)",
            "\(p)[0].onInput.events[0].actions[0].sqs: not mapped: the sqs action (an Amazon SQS "
                + "queue) has no connector here",
            "\(p)[0].onInput.events[0].actions[2].dynamoDB: not mapped: the dynamoDB action (an Amazon DynamoDB table) "
                + "has no connector here",
            "\(p)[0].onInput.events[0].condition: not mapped: the bitwise operator '&' has no counterpart in FEEL",
            "\(p)[0].onInput.events[1].actions[0].iotEvents: not mapped: the iotEvents action (an "
                + "input of another detector "
                + "model) has no connector here",
            "\(p)[0].onInput.events[1].actions[1].firehose: not mapped: the firehose action (an "
                + "Amazon Data Firehose stream) "
                + "has no connector here",
            "\(p)[1].onInput.transitionEvents[0].actions[0].iotSiteWise: not mapped: the "
                + "iotSiteWise action (an AWS IoT "
                + "SiteWise asset property) has no connector here",
        ], "\(out.unmapped.map(\.description).joined(separator: "\n"))")
        // what maps is still written, and loads: an unmappable condition never holds
        let def = try load(out.yaml)
        #expect(def.elements.contains { $0.id == "stopped_wait" })
        #expect(out.yaml.contains("- id: watching_on_0\n    type: decision\n    condition: false"))
    }

    @Test func unreadableJSONIsRefusedWithItsLineAndColumn() {
        #expect {
            _ = try IoTEventsImport.convert(text: "{\n  \"detectorModelName\": \"x\",\n  \"key\": ]\n}",
                file: "bad.json")
        } throws: { e in
            (e as? IoTEventsImport.ReadError)?.description.hasPrefix("bad.json:3:10: error: invalid JSON") == true
        }
        #expect {
            _ = try IoTEventsImport.convert(text: "{\"detectorModelName\": \"x\"}", file: "none.json")
        } throws: { e in
            (e as? IoTEventsImport.ReadError)?.description.hasPrefix("none.json:1:1: error: no "
                + "detectorModelDefinition") == true
        }
    }

    @Test(arguments: [
        ("$input.In.temp > 20 && !($variable.n == 3)", "((temp > 20) and not(((n = 3))))"),
        ("$input.In.a.b[0] - 1.5 * $variable.n", "(a.b[1] - (1.5 * n))"),
        ("'hp-' + $input.In.`device-id`", "error"),
        ("$input.In.data.`flow-temp` % 2", "modulo(get value(data, \"flow-temp\"), 2)"),
        ("timeout('t1') || triggerType(\"Timer\")", "(iot_timeout_t1 or (iot_trigger = \"Timer\"))"),
        ("isUndefined($input.In.x) || isNumeric($input.In.x)", "((x = null) or (x instance of number))"),
        ("convert(Decimal, $input.In.s) >= 2", "((if s instance of number then s else number(string(s))) >= 2)"),
        ("startsWith($input.In.s, 'hp') && contains($input.In.s, '7')",
            "(starts with(s, \"hp\") and contains(s, \"7\"))"),
        ("'Temp ${$input.In.t}'", "(\"Temp \" + string(t))"),
        ("$input.Other.x > 1", "error"),
        ("bitand($input.In.x, 4) == 4", "error"),
        ("-$variable.n + 2", "((-n) + 2)"),
    ])
    func expressionsTranslateToFEEL(_ iot: String, _ feel: String) throws {
        var x = IoTEventsExpression(names: .init(input: "In", variable: { $0 }, timeout: { "iot_timeout_" + $0 }))
        let got = (try? x.translate(iot)) ?? "error"
        #expect(got == feel, "\(iot)")
        guard feel != "error" else { return }
        _ = try BPMExpressions.Expression(got)
    }
}
