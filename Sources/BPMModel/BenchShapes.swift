import BPMExpressions

/// The shapes `bpm bench` measures, shared with the hot paths' microbenchmarks (Microbenchmarks/), so a
/// microbenchmark's number explains a bench row: the peers' straight-through process (start → script x=1 →
/// exclusive gateway → script y=x+1 → end) and a 20-rule routing table of three inputs.
public enum BenchShapes {
    public static let straightThrough = """
    id: bench-straight-through
    activities:
      - id: set_x
        type: script
        set: {x: 1}
      - id: gw
        type: decision
        condition: x > 0
        true_path: positive
        false_path: nonpositive
      - id: positive
        type: script
        set: {y: x + 1}
        next: done
      - id: nonpositive
        type: script
        set: {y: 0}
      - id: done
        type: end
    """

    /// Rule i matches temperatures in [5i..5i+4], zone i mod 4 and, for even i, an alarm; FIRST hit policy.
    public static var routingTable: String { routingTable(hitPolicy: "FIRST") }

    public static func routingTable(hitPolicy: String) -> String {
        var rules = ""
        for i in 0..<20 {
            rules += "<rule><inputEntry><text>[\(i * 5)..\(i * 5 + 4)]</text></inputEntry>"
                + "<inputEntry><text>\"zone\(i % 4)\"</text></inputEntry>"
                + "<inputEntry><text>\(i % 2 == 0 ? "true" : "-")</text></inputEntry>"
                + "<outputEntry><text>\"action\(i)\"</text></outputEntry></rule>"
        }
        return """
        <definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="bench" id="b">
          <decision name="route" id="d"><decisionTable hitPolicy="\(hitPolicy)">
            <input><inputExpression><text>temperature</text></inputExpression></input>
            <input><inputExpression><text>zone</text></inputExpression></input>
            <input><inputExpression><text>alarm</text></inputExpression></input>
            <output name="action"/>\(rules)
          </decisionTable></decision>
        </definitions>
        """
    }

    /// A hundred inputs the table's rules spread over (`route` gives "action1" for the eighth).
    public static let routingInputs: [[String: Value]] = (0..<100).map { i in
        ["temperature": .number(Double(i)), "zone": .string("zone\(i / 5 % 4)"), "alarm": .bool(i % 3 == 0)]
    }
}
