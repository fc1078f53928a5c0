import BPMExpressions
import BPMModel

/// Reads DMN 1.3, 1.4 and 1.5 XML (any namespace prefix) into a `DecisionModel`.
public enum DMNReader {
    public static func read(source: String, file: String) throws(DefinitionErrors) -> DecisionModel {
        if let e = Limits.sizeError(source, file: file) { throw e }
        let root: XMLElement
        do { root = try XMLReader.parse(source) } catch {
            throw DefinitionErrors([DefinitionError(error.message, at: SourceLocation(file: file, line: error.line, column: error.column))])
        }
        guard root.name == "definitions", root.namespace.contains("DMN") else {
            throw DefinitionErrors([DefinitionError("not a DMN file: the root element must be a DMN <definitions>", at: SourceLocation(file: file, line: root.line, column: root.column))])
        }
        var r = Reader(file: file, root: root)
        return r.read()
    }

    struct Reader {
        let file: String
        let root: XMLElement
        var names: Set<String> = []
        var functions: Set<String> = []
        var idToName: [String: String] = [:]

        init(file: String, root: XMLElement) {
            self.file = file
            self.root = root
        }

        mutating func read() -> DecisionModel {
            // every name in the model: FEEL needs those with spaces to parse
            for e in root.descendants("decision") + root.descendants("inputData") + root.descendants("businessKnowledgeModel") + root.descendants("decisionService") {
                if let n = e.attributes["name"] {
                    names.insert(n)
                    if let id = e.attributes["id"] { idToName[id] = n }
                }
            }
            for v in root.descendants("variable") + root.descendants("formalParameter") + root.descendants("parameter") + root.descendants("column") {
                if let n = v.attributes["name"] { names.insert(n) }
            }
            for c in root.descendants("component") + root.descendants("itemComponent") { if let n = c.attributes["name"] { names.insert(n) } }
            // names FEEL cannot read as one word: with spaces or operator characters (`Date-Time`)
            names = names.filter { n in n.contains(" ") || n.unicodeScalars.contains { !($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") } }
            functions = Set((root.children("businessKnowledgeModel") + root.children("decisionService")).compactMap { $0.attributes["name"] })

            var decisions: [Decision] = []
            for d in root.children("decision") {
                let name = d.attributes["name"] ?? d.attributes["id"] ?? "?"
                let required = d.children("informationRequirement").compactMap { $0.child("requiredDecision")?.attributes["href"] }.map(resolve)
                let expression = d.children.first { Self.expressionKinds.contains($0.name) }.map(boxed) ?? .invalid("decision '\(name)' has no expression")
                decisions.append(Decision(id: d.attributes["id"] ?? name, name: name, typeRef: d.child("variable")?.attributes["typeRef"],
                                          requiredDecisions: required, expression: expression))
            }
            var knowledge: [String: BusinessKnowledgeModel] = [:]
            for b in root.children("businessKnowledgeModel") {
                let name = b.attributes["name"] ?? "?"
                guard let logic = b.child("encapsulatedLogic") else { continue }
                let params = logic.children("formalParameter").compactMap { $0.attributes["name"] }
                let body = logic.children.first { Self.expressionKinds.contains($0.name) }.map(boxed) ?? .invalid("knowledge model '\(name)' has no body")
                knowledge[name] = BusinessKnowledgeModel(name: name, parameters: params, body: body)
            }
            var services: [String: DecisionService] = [:]
            for s in root.children("decisionService") {
                let name = s.attributes["name"] ?? "?"
                func refs(_ tag: String) -> [String] { s.children(tag).compactMap { $0.attributes["href"] }.map(resolve) }
                services[name] = DecisionService(name: name, inputDecisions: refs("inputDecision"), inputData: refs("inputData"), outputs: refs("outputDecision"))
            }
            return DecisionModel(name: root.attributes["name"] ?? file, decisions: decisions,
                                 inputData: root.children("inputData").compactMap { $0.attributes["name"] }, knowledge: knowledge, services: services)
        }

        static let expressionKinds: Set<String> = ["literalExpression", "decisionTable", "context", "invocation", "list", "relation", "functionDefinition"]

        func resolve(_ href: String) -> String {
            let id = href.split(separator: "#").last.map(String.init) ?? href
            return idToName[id] ?? id
        }

        func expression(_ text: String, _ where: String) -> BoxedExpression {
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do { return .literal(try Expression(t, names: names, functions: functions, dynamicCalls: true)) } catch {
                return .invalid("\(file): \(`where`): invalid FEEL '\(t)': \(error.message) at column \(error.column)")
            }
        }

        func boxed(_ e: XMLElement) -> BoxedExpression {
            switch e.name {
            case "literalExpression":
                return expression(e.child("text")?.text ?? "", "literal expression at line \(e.line)")
            case "decisionTable":
                return table(e)
            case "context":
                var entries: [(String, BoxedExpression)] = []
                var result: BoxedExpression?
                for entry in e.children("contextEntry") {
                    guard let value = entry.children.first(where: { Self.expressionKinds.contains($0.name) }) else { continue }
                    if let name = entry.child("variable")?.attributes["name"] { entries.append((name, boxed(value))) } else { result = boxed(value) }
                }
                return .context(entries, result: result)
            case "invocation":
                let fn = e.child("literalExpression")?.child("text")?.trimmedText ?? ""
                let bindings: [(String, BoxedExpression)] = e.children("binding").compactMap { b in
                    guard let name = b.child("parameter")?.attributes["name"] else { return nil }
                    let value = b.children.first { Self.expressionKinds.contains($0.name) }.map(boxed) ?? .literal(try! Expression("null"))
                    return (name, value)
                }
                return .invocation(function: fn, bindings: bindings)
            case "list":
                return .list(e.children.filter { Self.expressionKinds.contains($0.name) }.map(boxed))
            case "relation":
                let cols = e.children("column").compactMap { $0.attributes["name"] }
                let rows = e.children("row").map { r in r.children.filter { Self.expressionKinds.contains($0.name) }.map(boxed) }
                return .relation(columns: cols, rows: rows)
            case "functionDefinition":
                guard (e.attributes["kind"] ?? "FEEL") == "FEEL" else {
                    return .invalid("\(file):\(e.line): '\(e.attributes["kind"] ?? "")' functions are not supported (FEEL functions are)")
                }
                let params = e.children("formalParameter").compactMap { $0.attributes["name"] }
                guard let body = e.children.first(where: { Self.expressionKinds.contains($0.name) }) else {
                    return .invalid("\(file):\(e.line): a function definition without a body")
                }
                return .function(parameters: params, body: boxed(body))
            default:
                return .invalid("\(file):\(e.line): '\(e.name)' boxed expressions are not supported yet")
            }
        }

        func table(_ e: XMLElement) -> BoxedExpression {
            let policyText = (e.attributes["hitPolicy"] ?? "UNIQUE").uppercased()
            guard let policy = DecisionTable.HitPolicy(rawValue: policyText) else { return .invalid("\(file):\(e.line): unknown hit policy '\(policyText)'") }
            let aggregation = e.attributes["aggregation"].flatMap { DecisionTable.Aggregation(rawValue: $0.uppercased()) }
            var inputs: [DecisionTable.Input] = []
            for i in e.children("input") {
                let text = i.child("inputExpression")?.child("text")?.trimmedText ?? ""
                guard case .literal(let x) = expression(text, "input at line \(i.line)") else { return expression(text, "input at line \(i.line)") }
                var allowed: UnaryTests?
                if let text = i.child("inputValues")?.child("text")?.trimmedText, !text.isEmpty { allowed = try? UnaryTests(text, names: names) }
                inputs.append(.init(expression: x, allowed: allowed))
            }
            var outputs: [DecisionTable.Output] = []
            for o in e.children("output") {
                var allowed: [Value]?
                if let text = o.child("outputValues")?.child("text")?.trimmedText, !text.isEmpty, let list = try? Expression("[" + text + "]").evaluate([:]).listValue {
                    allowed = list
                }
                var dflt: Expression?
                if let text = o.child("defaultOutputEntry")?.child("text")?.trimmedText, !text.isEmpty { dflt = try? Expression(text, names: names) }
                outputs.append(.init(name: o.attributes["name"], allowed: allowed, defaultValue: dflt))
            }
            var rules: [DecisionTable.Rule] = []
            for r in e.children("rule") {
                var tests: [UnaryTests] = []
                for entry in r.children("inputEntry") {
                    let text = entry.child("text")?.trimmedText ?? "-"
                    do { tests.append(try UnaryTests(text, names: names)) } catch {
                        return .invalid("\(file):\(entry.line): invalid input entry '\(text)': \(error.message)")
                    }
                }
                var outs: [Expression] = []
                for entry in r.children("outputEntry") {
                    let text = entry.child("text")?.trimmedText ?? "null"
                    guard case .literal(let x) = expression(text.isEmpty ? "null" : text, "output entry at line \(entry.line)") else {
                        return expression(text, "output entry at line \(entry.line)")
                    }
                    outs.append(x)
                }
                rules.append(.init(tests: tests, outputs: outs))
            }
            return .decisionTable(DecisionTable(hitPolicy: policy, aggregation: aggregation, inputs: inputs, outputs: outputs, rules: rules,
                                                outputLabel: e.attributes["outputLabel"]))
        }
    }
}
