import BPMDecisions
import BPMExpressions
import Testing

/// `DecisionEvaluator.trace`: which rules each hit policy reports, and that it agrees with `evaluate`.
struct DecisionTraceTests {
    static func model(_ policy: String) throws -> DecisionModel {
        try DMNReader.read(
            source: """
                <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="m" name="M" namespace="urn:m">
                  <decision id="d" name="D">
                    <decisionTable hitPolicy="\(policy)">
                      <input id="i1" label="Amount"><inputExpression><text>amount</text></inputExpression></input>
                      <output id="o1" name="level"><outputValues><text>"high","low"</text></outputValues></output>
                      <rule id="r1"><inputEntry><text>&gt; 0</text></inputEntry>
                        <outputEntry><text>"low"</text></outputEntry></rule>
                      <rule id="r2"><inputEntry><text>&gt; 100</text></inputEntry>
                        <outputEntry><text>"high"</text></outputEntry></rule>
                      <rule id="r3"><inputEntry><text>&lt; 0</text></inputEntry>
                        <outputEntry><text>"none"</text></outputEntry></rule>
                    </decisionTable>
                  </decision>
                </definitions>
                """, file: "m.dmn")
    }

    @Test(arguments: [
        ("FIRST", ["r1"]), ("PRIORITY", ["r2"]), ("COLLECT", ["r1", "r2"]), ("RULE ORDER", ["r1", "r2"]),
        ("OUTPUT ORDER", ["r1", "r2"]),
    ])
    func hitPoliciesReportTheRulesThatGaveTheResult(_ policy: String, _ rules: [String]) throws {
        let e = DecisionEvaluator(model: try Self.model(policy))
        let t = e.trace("d", inputs: ["amount": .number(500)])
        #expect(t.result == (try e.evaluate("d", inputs: ["amount": .number(500)])))
        let d = try #require(t.decisions.first)
        #expect(t.decisions.count == 1 && d.type == "DECISION_TABLE" && d.output == t.result)
        #expect(d.matchedRules.map(\.id) == rules)
        #expect(d.matchedRules.map(\.index) == rules.map { Int($0.dropFirst())! })
        #expect(d.inputs == [EvaluatedInput(id: "i1", name: "Amount", value: .number(500))])
        #expect(d.matchedRules.first?.outputs.first.map { [$0.id, $0.name] } == ["o1", "level"])
    }

    @Test func noMatchingRuleReportsNone() throws {
        let t = DecisionEvaluator(model: try Self.model("FIRST")).trace("d", inputs: ["amount": .number(0)])
        #expect(t.result == .null && t.decisions.first?.matchedRules == [] && t.failure == nil)
    }
}
