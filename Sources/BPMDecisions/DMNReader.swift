import Foundation
import BPMExpressions
import BPMModel

/// Reads DMN 1.3, 1.4 and 1.5 XML (any namespace prefix) into a `DecisionModel`.
///
/// Refused at read time, with the element's line: expressions in a language other than FEEL
/// (the `expressionLanguage` of the definitions or of an expression), and functions of kind
/// Java or PMML (§10.3.2.13.2, §10.3.2.13.3), which this engine cannot run.
public enum DMNReader {
    public static func read(source: String, file: String) throws(DefinitionErrors) -> DecisionModel {
        try read(source: source, file: file, imports: [:])
    }

    /// Reads a model whose imports (§6.3.3) are among `imports`, by namespace.
    public static func read(
        source: String, file: String, imports: [String: DecisionModel]
    ) throws(DefinitionErrors) -> DecisionModel {
        let root = try parse(source: source, file: file)
        var r = Reader(file: file, root: root, available: imports)
        r.xmlPrefixes = namespacePrefixes(source)
        let model = r.read()
        if !r.errors.isEmpty { throw DefinitionErrors(r.errors) }
        return model
    }

    /// The namespaces a model imports (DMN imports only), so a loader can read those first.
    public static func importedNamespaces(source: String) -> [String] {
        guard let root = try? XMLReader.parse(source) else { return [] }
        return root.children("import").filter { ($0.attributes["importType"] ?? "").contains("DMN") }.compactMap {
            $0.attributes["namespace"]
        }
    }

    /// The XML namespace prefixes a model declares (`xmlns:ns1="…"`), for QName typeRefs.
    static func namespacePrefixes(_ source: String) -> [String: String] {
        guard let re = try? NSRegularExpression(pattern: #"xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']"#)
        else { return [:] }
        var out: [String: String] = [:]
        for m in re.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
            guard let p = Range(m.range(at: 1), in: source), let u = Range(m.range(at: 2), in: source) else { continue }
            if out[String(source[p])] == nil { out[String(source[p])] = String(source[u]) }
        }
        return out
    }

    /// The namespace a model declares.
    public static func namespace(source: String) -> String? {
        (try? XMLReader.parse(source))?.attributes["namespace"]
    }

    static func parse(source: String, file: String) throws(DefinitionErrors) -> XMLElement {
        if let e = Limits.sizeError(source, file: file) { throw e }
        let root: XMLElement
        do { root = try XMLReader.parse(source) } catch {
            throw DefinitionErrors([
                DefinitionError(error.message, at: SourceLocation(file: file, line: error.line, column: error.column))
            ])
        }
        guard root.name == "definitions", root.namespace.contains("DMN") else {
            throw DefinitionErrors([
                DefinitionError(
                    "not a DMN file: the root element must be a DMN <definitions>",
                    at: SourceLocation(file: file, line: root.line, column: root.column))
            ])
        }
        return root
    }

    struct Reader {
        let file: String
        let root: XMLElement
        let available: [String: DecisionModel]
        var names: Set<String> = []
        var functions: Set<String> = []
        var idToName: [String: String] = [:]
        var types: [String: FEELType] = [:]
        var imports: [String: DecisionModel] = [:]
        /// Import prefixes by namespace.
        var prefixes: [String: String] = [:]
        /// XML namespace prefixes (`xmlns:ns1`) by prefix.
        var xmlPrefixes: [String: String] = [:]
        var errors: [DefinitionError] = []
        /// The definitions' default expression language.
        var language: String?

        init(file: String, root: XMLElement, available: [String: DecisionModel]) {
            self.file = file
            self.root = root
            self.available = available
        }

        mutating func fail(_ message: String, _ e: XMLElement) {
            errors.append(DefinitionError(message, at: SourceLocation(file: file, line: e.line, column: e.column)))
        }

        mutating func read() -> DecisionModel {
            language = root.attributes["expressionLanguage"]
            if let l = language, !Self.isFEEL(l) {
                fail("expression language '\(l)' is not supported: this engine evaluates FEEL only", root)
            }
            readImports()
            collectNames()
            readTypes()
            var model = DecisionModel(
                name: root.attributes["name"] ?? file, decisions: [], inputData: [], knowledge: [:])
            model.namespace = root.attributes["namespace"] ?? ""
            model.types = types
            model.imports = imports
            model.elementIds = idToName
            for i in root.children("inputData") {
                guard let n = i.attributes["name"] else { continue }
                model.inputData.append(n)
                if let t = typeRef(i.child("variable")?.attributes["typeRef"], i) { model.inputTypes[n] = t }
            }
            for d in root.children("decision") { model.decisions.append(decision(d)) }
            for b in root.children("businessKnowledgeModel") {
                if let k = knowledgeModel(b) { model.knowledge[k.name] = k }
            }
            for s in root.children("decisionService") {
                let name = s.attributes["name"] ?? "?"
                func refs(_ tag: String) -> [String] {
                    s.children(tag).compactMap { $0.attributes["href"] }.map { reference($0).name }
                }
                var service = DecisionService(
                    name: name, inputDecisions: refs("inputDecision"), inputData: refs("inputData"),
                    outputs: refs("outputDecision"))
                service.resultIsContext = ["20151101", "20180521"].contains { root.namespace.contains($0) }
                switch typeRef(s.child("variable")?.attributes["typeRef"], s) {
                case .function(_, let result)?: service.type = result == .any ? nil : result
                case let t?: service.type = t
                case nil: break
                }
                model.services[name] = service
            }
            model.elementNames = Set(
                model.decisions.map(\.name) + model.inputData + model.knowledge.keys + model.services.keys
                    + imports.keys)
            return model
        }

        mutating func readImports() {
            for i in root.children("import") {
                guard let ns = i.attributes["namespace"] else { continue }
                let type = i.attributes["importType"] ?? ""
                guard type.contains("DMN") else {
                    fail(
                        "import of '\(ns)' (\(type.isEmpty ? "no importType" : type)) is not supported:"
                            + " only DMN models can be imported",
                        i)
                    continue
                }
                let prefix = i.attributes["name"] ?? ""
                guard let m = available[ns] else {
                    fail("import '\(prefix)': no model with namespace '\(ns)' was deployed with this one", i)
                    continue
                }
                imports[prefix] = m
                prefixes[ns] = prefix
            }
        }

        /// Every name in the model and its imports: FEEL needs those with spaces or operator
        /// characters to parse (§10.3.1.4).
        mutating func collectNames() {
            let kinds = ["decision", "inputData", "businessKnowledgeModel", "decisionService"]
            for e in kinds.flatMap({ root.descendants($0) }) {
                if let n = e.attributes["name"] {
                    names.insert(n)
                    if let id = e.attributes["id"] { idToName[id] = n }
                }
            }
            for v in [
                "variable", "formalParameter", "parameter", "column", "component", "itemComponent", "contextEntry",
            ]
            .flatMap({ root.descendants($0) }) {
                if let n = v.attributes["name"] { names.insert(n) }
            }
            for (prefix, m) in imports {
                names.insert(prefix)
                for n in m.elementNames { names.insert(n) }
                for (n, _) in m.types { names.insert(n) }
            }
            names = names.filter { n in
                n.contains(" ")
                    || n.unicodeScalars.contains {
                        !($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_")
                    }
            }
            functions = Set(
                (root.children("businessKnowledgeModel") + root.children("decisionService")).compactMap {
                    $0.attributes["name"]
                })
        }

        static func isFEEL(_ language: String) -> Bool { language.lowercased().contains("feel") }

        static func isFunctionType(_ t: FEELType) -> Bool {
            if case .function = t { return true }
            return false
        }

        /// A reference `#id` or `namespace#id`: the element's name, and its import prefix.
        func reference(_ href: String) -> ElementReference {
            let parts = href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let id = parts.last ?? href
            if parts.count == 2, !parts[0].isEmpty, parts[0] != (root.attributes["namespace"] ?? ""),
                let prefix = prefixes[parts[0]],
                let m = imports[prefix]
            {
                return ElementReference(prefix: prefix, name: m.elementName(id: id) ?? id)
            }
            return ElementReference(prefix: nil, name: idToName[id] ?? id)
        }

        mutating func decision(_ d: XMLElement) -> Decision {
            let name = d.attributes["name"] ?? d.attributes["id"] ?? "?"
            var required: [String] = [], inputs: [ElementReference] = [], imported: [ElementReference] = []
            for req in d.children("informationRequirement") {
                if let h = req.child("requiredDecision")?.attributes["href"] {
                    let r = reference(h)
                    if r.prefix == nil { required.append(r.name) } else { imported.append(r) }
                }
                if let h = req.child("requiredInput")?.attributes["href"] { inputs.append(reference(h)) }
            }
            let knowledge = d.children("knowledgeRequirement").compactMap {
                $0.child("requiredKnowledge")?.attributes["href"]
            }.map(reference)
            var expression =
                d.children.first { Self.expressionKinds.contains($0.name) }.map { boxed($0) }
                ?? .invalid("decision '\(name)' has no expression")
            let typeText = d.child("variable")?.attributes["typeRef"]
            let type = typeRef(typeText, d)
            if let type { expression = .typed(expression, type) }
            return Decision(
                id: d.attributes["id"] ?? name, name: name, typeRef: typeText, type: type, requiredDecisions: required,
                expression: expression, requiredInputs: inputs, requiredImported: imported, requiredKnowledge: knowledge
            )
        }

        mutating func knowledgeModel(_ b: XMLElement) -> BusinessKnowledgeModel? {
            let name = b.attributes["name"] ?? "?"
            guard let logic = b.child("encapsulatedLogic") else { return nil }
            if let kind = logic.attributes["kind"], kind.uppercased() != "FEEL" {
                fail(
                    "business knowledge model '\(name)': functions of kind \(kind) are not supported"
                        + " (FEEL functions are)",
                    logic)
            }
            let params = logic.children("formalParameter")
            var body =
                logic.children.first { Self.expressionKinds.contains($0.name) }.map { boxed($0) }
                ?? .invalid("knowledge model '\(name)' has no body")
            let result = typeRef(logic.attributes["typeRef"], logic)
            if let result { body = .typed(body, result) }
            // §6.3.9: the variable's typeRef is the function's type; its result is converted to
            // the output type (a singleton list, a value to a list, a date to a date and time)
            if case .function(_, let out)? = typeRef(b.child("variable")?.attributes["typeRef"], b), out != .any {
                body = .typed(body, out)
            }
            var k = BusinessKnowledgeModel(
                name: name, parameters: params.compactMap { $0.attributes["name"] }, body: body)
            k.parameterTypes = params.map { typeRef($0.attributes["typeRef"], $0) }
            k.resultType = result
            k.requiredKnowledge = b.children("knowledgeRequirement").compactMap {
                $0.child("requiredKnowledge")?.attributes["href"]
            }
            .map(reference)
            return k
        }

        static let expressionKinds: Set<String> = [
            "literalExpression", "decisionTable", "context", "invocation", "list", "relation",
            "functionDefinition", "conditional", "filter", "for", "some", "every",
        ]
    }
}

extension DecisionModel {
    /// The name of the DRG element with this id.
    func elementName(id: String) -> String? {
        decisions.first { $0.id == id }?.name ?? elementIds[id]
    }
}
