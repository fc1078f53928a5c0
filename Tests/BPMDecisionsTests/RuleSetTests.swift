import BPMDecisions
import BPMExpressions
import BPMModel
import Testing

@Suite struct RuleSetTests {
    static let routing = """
    decision: device-routing
    name: Device routing
    hit_policy: first
    inputs:
      status: device_status
      temperature: temperature
    outputs: [path, priority]
    rules:
      - when: {status: '"error"'}
        then: {path: '"maintenance"', priority: 1}
      - when: {temperature: "> 25"}
        then: {path: '"cooling"', priority: 2}
      - when: {}
        then: {path: '"normal"', priority: 3}
    """

    @Test func aRuleSetIsADecisionTable() throws {
        let m = try RuleSetReader.read(source: Self.routing, file: "routing.yaml")
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("device-routing", inputs: ["device_status": "error", "temperature": 20]) == ["path": "maintenance", "priority": 1])
        #expect(try e.evaluate("device-routing", inputs: ["device_status": "ok", "temperature": 30]) == ["path": "cooling", "priority": 2])
        #expect(try e.evaluate("Device routing", inputs: ["device_status": "ok", "temperature": 20]) == ["path": "normal", "priority": 3])
    }

    @Test func collectSum() throws {
        let m = try RuleSetReader.read(source: """
        decision: score
        hit_policy: collect_sum
        inputs: {age: age, debt: debt}
        outputs: [points]
        rules:
          - {when: {age: "< 25"}, then: {points: 10}}
          - {when: {debt: "> 1000"}, then: {points: 20}}
        """, file: "score.yaml")
        #expect(try DecisionEvaluator(model: m).evaluate("score", inputs: ["age": 20, "debt": 5000]) == 30)
    }

    @Test func mistakesAreReportedWithTheirLocation() {
        do {
            _ = try RuleSetReader.read(source: """
            decision: bad
            hit_policy: firstest
            inputs: {a: a}
            outputs: [x]
            rules: []
            """, file: "bad.yaml")
            Issue.record("accepted a bad hit policy")
        } catch {
            #expect(error.errors.first?.description.hasPrefix("bad.yaml:2:13: error: unknown hit_policy 'firstest'") == true)
        }
        do {
            _ = try RuleSetReader.read(source: """
            decision: bad
            inputs: {a: a}
            outputs: [x]
            rules:
              - {when: {b: "> 1"}, then: {x: 1}}
            """, file: "bad.yaml")
            Issue.record("accepted an unknown input")
        } catch {
            #expect(error.errors.map(\.message).contains("'when' names unknown input 'b'"))
        }
    }
}
