import BPMExpressions
import BPMModel

/// Decision tables (DMN 1.5 §8): inputs, outputs, rules, hit policy and aggregation.
extension DMNReader.Reader {
    mutating func table(_ e: XMLElement) -> BoxedExpression {
        let policyText = (e.attributes["hitPolicy"] ?? "UNIQUE").uppercased()
        guard let policy = DecisionTable.HitPolicy(rawValue: policyText) else {
            return .invalid("\(file):\(e.line): unknown hit policy '\(policyText)'")
        }
        let aggregation = e.attributes["aggregation"].flatMap { DecisionTable.Aggregation(rawValue: $0.uppercased()) }
        var inputs: [DecisionTable.Input] = []
        for i in e.children("input") {
            let where_ = "input at line \(i.line)"
            let x = expression(i.child("inputExpression"), where_, line: i.line)
            guard case .literal(let ex) = x else { return x }
            var allowed: UnaryTests?
            if let v = i.child("inputValues"), checkLanguage(v), let text = v.child("text")?.trimmedText, !text.isEmpty
            {
                allowed = try? UnaryTests(text, names: names, types: types)
            }
            inputs.append(.init(expression: ex, allowed: allowed, id: i.attributes["id"], label: i.attributes["label"]))
        }
        var outputs: [DecisionTable.Output] = []
        for o in e.children("output") {
            var allowed: [Value]?
            if let text = o.child("outputValues")?.child("text")?.trimmedText, !text.isEmpty,
                let list = try? Expression("[" + text + "]").evaluate([:]).listValue
            {
                allowed = list
            }
            var dflt: Expression?
            if let d = o.child("defaultOutputEntry"), checkLanguage(d), let text = d.child("text")?.trimmedText,
                !text.isEmpty
            {
                dflt = try? Expression(text, names: names, types: types, dynamicCalls: true)
            }
            outputs.append(
                .init(
                    name: o.attributes["name"], allowed: allowed, defaultValue: dflt,
                    type: typeRef(o.attributes["typeRef"], o), id: o.attributes["id"], label: o.attributes["label"]))
        }
        var rules: [DecisionTable.Rule] = []
        for r in e.children("rule") {
            var tests: [UnaryTests] = []
            for entry in r.children("inputEntry") {
                guard checkLanguage(entry) else { return .invalid("\(file):\(entry.line): input entry is not FEEL") }
                let text = entry.child("text")?.trimmedText ?? "-"
                if text.hasPrefix("==") || text.hasPrefix("${") || text.hasPrefix("#{") {
                    fail(
                        "invalid input entry '\(text)': written in another expression language (JUEL or Flowable),"
                            + " not FEEL (FEEL writes a value, or a comparison such as '= \"HIGH\"' without '==')",
                        entry)
                }
                do {
                    tests.append(try UnaryTests(text, names: names, types: types, strict: true, dynamicCalls: true))
                } catch {
                    return .invalid("\(file):\(entry.line): invalid input entry '\(text)': \(error.message)")
                }
            }
            var outs: [Expression] = []
            for entry in r.children("outputEntry") {
                let text = entry.child("text")?.trimmedText ?? "null"
                let x = expression(entry, "output entry at line \(entry.line)", line: entry.line)
                if text.isEmpty { outs.append(try! Expression("null")); continue }
                guard case .literal(let ex) = x else { return x }
                outs.append(ex)
            }
            rules.append(.init(tests: tests, outputs: outs, id: r.attributes["id"]))
        }
        return .decisionTable(
            DecisionTable(
                hitPolicy: policy, aggregation: aggregation, inputs: inputs, outputs: outputs, rules: rules,
                outputLabel: e.attributes["outputLabel"]))
    }
}
