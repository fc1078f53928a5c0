import BPMExpressions
import BPMModel
import Yams

/// Reads a YAML rule set — a decision table for users who do not draw DMN — into the same
/// decision model as DMN (see docs/rules.md):
///
/// ```yaml
/// decision: device-routing
/// hit_policy: first
/// inputs:
///   status: device.status
///   temperature: fields.flow_temp_c
/// outputs: [path]
/// rules:
///   - when: {status: '"error"'}
///     then: {path: '"maintenance"'}
///   - when: {temperature: "> 25"}
///     then: {path: '"cooling"'}
/// ```
public enum RuleSetReader {
    static let policies: [String: (DecisionTable.HitPolicy, DecisionTable.Aggregation?)] = [
        "unique": (.unique, nil), "first": (.first, nil), "priority": (.priority, nil), "any": (.any, nil),
        "collect": (.collect, nil), "rule_order": (.ruleOrder, nil), "output_order": (.outputOrder, nil),
        "collect_sum": (.collect, .sum), "collect_min": (.collect, .min), "collect_max": (.collect, .max), "collect_count": (.collect, .count),
    ]

    /// Whether a YAML text is a rule set (it has a top-level `decision:` key).
    public static func isRuleSet(_ source: String) -> Bool {
        source.split(separator: "\n").contains { $0.hasPrefix("decision:") }
    }

    public static func read(source: String, file: String) throws(DefinitionErrors) -> DecisionModel {
        var errors: [DefinitionError] = []
        func err(_ m: String, _ n: Node?) { errors.append(DefinitionError(m, at: SourceLocation(file: file, line: n?.mark?.line ?? 1, column: n?.mark?.column ?? 1))) }
        let root = try YAMLDefinitionReader.compose(source, file: file)
        guard let root, case .mapping(let top) = root else {
            throw DefinitionErrors([DefinitionError("a rule set must be a mapping with decision, inputs, outputs and rules", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        func get(_ k: String) -> Node? { top.first { $0.key.string == k }?.value }
        for (k, _) in top where !["decision", "name", "hit_policy", "inputs", "outputs", "rules", "description"].contains(k.string ?? "") {
            err("unknown field '\(k.string ?? "")' in the rule set", k)
        }
        guard let id = get("decision")?.string, !id.isEmpty else { throw DefinitionErrors([DefinitionError("missing 'decision' (the rule set's id)", at: SourceLocation(file: file, line: 1, column: 1))]) }
        let policyName = get("hit_policy")?.string ?? "unique"
        guard let (policy, aggregation) = policies[policyName] else {
            err("unknown hit_policy '\(policyName)' (one of: \(policies.keys.sorted().joined(separator: ", ")))", get("hit_policy"))
            throw DefinitionErrors(errors)
        }
        // inputs: a mapping of name: expression (or a list of names, each its own expression)
        var inputNames: [String] = []
        var inputs: [DecisionTable.Input] = []
        func addInput(_ name: String, _ text: String, _ node: Node?) {
            do {
                inputs.append(.init(expression: try Expression(text), allowed: nil))
                inputNames.append(name)
            } catch { err("invalid input expression '\(text)': \(error.message) (column \(error.column))", node) }
        }
        switch get("inputs") {
        case .mapping(let m)?: for (k, v) in m { addInput(k.string ?? "", v.string ?? "", v) }
        case .sequence(let s)?: for n in s { addInput(n.string ?? "", n.string ?? "", n) }
        default: err("'inputs' must map each input name to an expression", get("inputs") ?? root)
        }
        var outputNames: [String] = []
        switch get("outputs") {
        case .sequence(let s)?: outputNames = s.compactMap(\.string)
        case .scalar(let x)?: outputNames = [x.string]
        default: err("'outputs' must list the output names", get("outputs") ?? root)
        }
        var rules: [DecisionTable.Rule] = []
        if case .sequence(let rs)? = get("rules") {
            for r in rs {
                guard case .mapping(let rm) = r else { err("each rule needs 'when' and 'then'", r); continue }
                let when = rm.first { $0.key.string == "when" }?.value
                let then = rm.first { $0.key.string == "then" }?.value
                var tests: [UnaryTests] = []
                for name in inputNames {
                    var text = "-"
                    if case .mapping(let wm)? = when, let t = wm.first(where: { $0.key.string == name })?.value {
                        text = t.string ?? (t.scalar.map { $0.string } ?? "-")
                    }
                    do { tests.append(try UnaryTests(text)) } catch { err("invalid test '\(text)' for \(name): \(error.message)", when) }
                }
                if case .mapping(let wm)? = when {
                    for (k, _) in wm where !inputNames.contains(k.string ?? "") { err("'when' names unknown input '\(k.string ?? "")'", k) }
                }
                var outs: [Expression] = []
                for name in outputNames {
                    guard case .mapping(let tm)? = then, let v = tm.first(where: { $0.key.string == name })?.value else {
                        err("rule does not set output '\(name)'", then ?? r)
                        continue
                    }
                    do { outs.append(try Expression(v.string ?? "null")) } catch { err("invalid output '\(v.string ?? "")': \(error.message)", v) }
                }
                rules.append(.init(tests: tests, outputs: outs))
            }
        } else {
            err("'rules' must be a list of {when, then}", get("rules") ?? root)
        }
        if !errors.isEmpty { throw DefinitionErrors(errors) }
        let table = DecisionTable(hitPolicy: policy, aggregation: aggregation, inputs: inputs,
                                  outputs: outputNames.map { .init(name: $0, allowed: nil, defaultValue: nil) }, rules: rules, outputLabel: id)
        let decision = Decision(id: id, name: get("name")?.string ?? id, typeRef: nil, requiredDecisions: [], expression: .decisionTable(table))
        return DecisionModel(name: id, decisions: [decision], inputData: inputNames, knowledge: [:])
    }
}
