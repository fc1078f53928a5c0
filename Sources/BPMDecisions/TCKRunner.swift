import BPMExpressions
import BPMModel
import Foundation

/// Runs DMN TCK-format case folders: models (`*.dmn`, which may import each other) and test
/// files (`*-test-*.xml`).
public enum TCKRunner {
    public struct CaseResult: Sendable {
        public var folder: String
        /// The test file's name without `.xml`.
        public var testFile: String = ""
        public var caseId: String
        public var node: String
        public var passed: Bool
        public var expected: String
        public var actual: String
        /// The evaluation failed (an error, not a wrong value).
        public var error = false

        public init(folder: String, testFile: String = "", caseId: String, node: String, passed: Bool, expected: String,
                    actual: String, error: Bool = false) {
            self.folder = folder
            self.testFile = testFile
            self.caseId = caseId
            self.node = node
            self.passed = passed
            self.expected = expected
            self.actual = actual
            self.error = error
        }
    }

    public struct FolderResult: Sendable {
        public var folder: String
        public var results: [CaseResult]
        /// The folder's parent (`compliance-level-3`): the results file names folders under it.
        public var group = ""

        public init(folder: String, results: [CaseResult]) {
            self.folder = folder
            self.results = results
        }
        public var passed: Int { results.filter(\.passed).count }

        /// The TCK's results file rows (one per test case): test folder, test file, case id,
        /// SUCCESS / FAILURE / ERROR, and a detail naming the failing result nodes.
        public var csvRows: [String] {
            var order: [String] = []
            var byCase: [String: [CaseResult]] = [:]
            for r in results {
                let key = r.testFile + "\u{0}" + r.caseId
                if byCase[key] == nil { order.append(key) }
                byCase[key, default: []].append(r)
            }
            return order.map { key in
                let rs = byCase[key]!
                let failed = rs.filter { !$0.passed }
                let result = failed.isEmpty ? "SUCCESS" : (failed.contains { $0.error } ? "ERROR" : "FAILURE")
                let detail = failed.map { "\($0.node): expected \($0.expected), got \($0.actual)" }.joined(
                    separator: "; ")
                return [group.isEmpty ? folder : group + "/" + folder, rs[0].testFile, rs[0].caseId, result, detail]
                    .map(csv).joined(separator: ",")
            }
        }

        func csv(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    }

    /// Every folder below `roots` holding a `.dmn` model and a test file, sorted by path.
    public static func caseFolders(_ roots: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for root in roots {
            guard let e = fm.enumerator(atPath: root) else { continue }
            var dirs: Set<String> = []
            while let p = e.nextObject() as? String {
                if p.contains("-test-") && p.hasSuffix(".xml") {
                    dirs.insert((root as NSString).appendingPathComponent((p as NSString).deletingLastPathComponent))
                }
            }
            out += dirs.sorted()
        }
        return out
    }

    /// Reads a folder's models, each after the models it imports (by namespace).
    public static func loadModels(_ folder: String) -> (models: [String: DecisionModel], errors: [String: String]) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasSuffix(".dmn")
        }.sorted()
        var texts: [String: String] = [:]
        for f in files {
            texts[f] = try? String(contentsOfFile: (folder as NSString).appendingPathComponent(f), encoding: .utf8)
        }
        var models: [String: DecisionModel] = [:], errors: [String: String] = [:]
        var byNamespace: [String: DecisionModel] = [:]
        var pending = files.filter { texts[$0] != nil }
        while !pending.isEmpty {
            let namespaces = Set(pending.compactMap { DMNReader.namespace(source: texts[$0]!) })
            // a model is ready when none of its imports is still pending
            let ready = pending.filter { f in
                DMNReader.importedNamespaces(source: texts[f]!).allSatisfy {
                    !namespaces.contains($0) || byNamespace[$0] != nil
                }
            }
            let batch = ready.isEmpty ? [pending[0]] : ready
            for f in batch {
                do {
                    let m = try DMNReader.read(source: texts[f]!, file: f, imports: byNamespace)
                    models[f] = m
                    byNamespace[m.namespace] = m
                } catch {
                    errors[f] = error.errors.map(\.description).joined(separator: "; ")
                }
            }
            pending.removeAll { batch.contains($0) }
        }
        return (models, errors)
    }

    public static func run(folder: String) -> FolderResult {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        // an absolute, standardized path: `bpm tck .` names the folder, and its parent the group
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        let name = url.lastPathComponent
        var results: [CaseResult] = []
        let (models, modelErrors) = loadModels(folder)
        for t in files where t.contains("-test-") && t.hasSuffix(".xml") {
            let path = (folder as NSString).appendingPathComponent(t)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? XMLReader.parse(text)
            else { continue }
            let modelName = root.child("modelName")?.trimmedText ?? models.keys.sorted().first ?? ""
            for tc in root.children("testCase") {
                for r in run(
                    testCase: tc, model: models[modelName] ?? (models.count == 1 ? models.values.first : nil),
                    missing: modelErrors[modelName] ?? modelErrors.values.first ?? modelName)
                {
                    var c = r
                    c.folder = name
                    c.testFile = String(t.dropLast(4))
                    results.append(c)
                }
            }
        }
        var out = FolderResult(folder: name, results: results)
        out.group = url.deletingLastPathComponent().lastPathComponent
        return out
    }

    static func run(testCase tc: XMLElement, model: DecisionModel?, missing: String) -> [CaseResult] {
        let id = tc.attributes["id"] ?? "?"
        var inputs: [String: Value] = [:]
        var namespaced: [String: [String: Value]] = [:]
        for n in tc.children("inputNode") {
            guard let key = n.attributes["name"] else { continue }
            if let ns = n.attributes["namespace"], ns != model?.namespace {
                namespaced[ns, default: [:]][key] = value(n)
            } else {
                inputs[key] = value(n)
            }
        }
        var out: [CaseResult] = []
        for rn in tc.children("resultNode") {
            let node = rn.attributes["name"] ?? "?"
            let expectError = rn.attributes["errorResult"] == "true"
            let expected = rn.child("expected").map(value) ?? .null
            let expectedText = expectError ? "an error" : JSON.encode(expected)
            guard let model else {
                out.append(
                    CaseResult(
                        folder: "", caseId: id, node: node, passed: false, expected: expectedText,
                        actual: "model not loaded: \(missing)", error: true))
                continue
            }
            let evaluator = DecisionEvaluator(model: model)
            do {
                var actual: Value
                if tc.attributes["type"] == "decisionService", let svc = tc.attributes["invocableName"],
                    let service = model.services[svc]
                {
                    // the service is invoked with the inputs; each result node is one of its outputs
                    actual = try evaluator.evaluate(svc, inputs: inputs, namespaced: namespaced)
                    // a result node names one output decision, or the service (its one output)
                    if service.outputs.count > 1 || service.resultIsContext {
                        let single = service.outputs.count == 1 ? service.outputs[0] : node
                        let output = service.outputs.contains(node) ? node : single
                        actual = actual[member: output]
                    }
                } else {
                    actual = try evaluator.evaluate(node, inputs: inputs, namespaced: namespaced)
                }
                let ok = expectError ? actual.isNull : same(expected, actual)
                out.append(
                    CaseResult(
                        folder: "", caseId: id, node: node, passed: ok, expected: expectedText,
                        actual: JSON.encode(actual)))
            } catch {
                out.append(
                    CaseResult(
                        folder: "", caseId: id, node: node, passed: expectError || expected.isNull,
                        expected: expectedText,
                        actual: "error: \(error.message)", error: true))
            }
        }
        return out
    }

    /// A TCK value: typed `<value>`, `<component>`s (a context), `<list><item>`s, or nil.
    static func value(_ node: XMLElement) -> Value {
        if node.attributes["nil"] == "true" { return .null }
        let components = node.children("component")
        if !components.isEmpty {
            var c: [String: Value] = [:]
            for comp in components { if let n = comp.attributes["name"] { c[n] = value(comp) } }
            return .context(c)
        }
        if let list = node.child("list") { return .list(list.children("item").map(value)) }
        if node.name == "value" {
            let text = node.text
            switch (node.attributes["type"] ?? "").split(separator: ":").last.map(String.init) ?? "" {
            case "decimal", "double", "float", "int", "integer", "long", "short":
                return Double(text.trimmingCharacters(in: .whitespaces)).map(Value.number) ?? .null
            case "boolean": return .bool(text.trimmingCharacters(in: .whitespaces) == "true")
            case "date", "time", "dateTime", "duration", "dayTimeDuration", "yearMonthDuration":
                return Temporal.parse(text).map(Value.temporal) ?? .string(text)
            case "string", "anyURI", "normalizedString", "token": return .string(text)
            default:
                // an untyped `<value>` (no xsi:type): a boolean or number when its text is one
                guard node.attributes["type"] == nil else { return .string(text) }
                let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if t == "true" || t == "false" { return .bool(t == "true") }
                guard !t.isEmpty, t.allSatisfy({ "0123456789.-".contains($0) }) else { return .string(text) }
                return Double(t).map(Value.number) ?? .string(text)
            }
        }
        if let v = node.child("value") { return value(v) }
        return .null
    }

    /// Equality for expected results: numbers within a relative 1e-9 (decimals written in XML).
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.context(let x), .context(let y)):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!) }
        default: return a == b
        }
    }
}
