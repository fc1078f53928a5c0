import BPMExpressions
import BPMModel
import Foundation

/// Runs DMN TCK-format case folders: a model (`*.dmn`) and test files (`*-test-*.xml`).
public enum TCKRunner {
    public struct CaseResult: Sendable {
        public var folder: String
        public var caseId: String
        public var node: String
        public var passed: Bool
        public var expected: String
        public var actual: String
    }

    public struct FolderResult: Sendable {
        public var folder: String
        public var results: [CaseResult]
        public var passed: Int { results.filter(\.passed).count }
    }

    /// Every folder below `roots` holding a `.dmn` model and a test file, sorted by path.
    public static func caseFolders(_ roots: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for root in roots {
            guard let e = fm.enumerator(atPath: root) else { continue }
            var dirs: Set<String> = []
            while let p = e.nextObject() as? String {
                if p.hasSuffix("-test-01.xml") || (p.contains("-test-") && p.hasSuffix(".xml")) {
                    dirs.insert((root as NSString).appendingPathComponent((p as NSString).deletingLastPathComponent))
                }
            }
            out += dirs.sorted()
        }
        return out
    }

    public static func run(folder: String) -> FolderResult {
        let fm = FileManager.default
        let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let name = (folder as NSString).lastPathComponent
        var results: [CaseResult] = []
        let tests = files.filter { $0.contains("-test-") && $0.hasSuffix(".xml") }
        var models: [String: DecisionModel] = [:]
        var modelErrors: [String: String] = [:]
        for f in files where f.hasSuffix(".dmn") {
            let path = (folder as NSString).appendingPathComponent(f)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            do { models[f] = try DMNReader.read(source: text, file: f) } catch { modelErrors[f] = error.errors.first?.description ?? "invalid model" }
        }
        for t in tests {
            let path = (folder as NSString).appendingPathComponent(t)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? XMLReader.parse(text) else { continue }
            let modelName = root.child("modelName")?.trimmedText ?? models.keys.first ?? ""
            for tc in root.children("testCase") {
                let id = tc.attributes["id"] ?? "?"
                var inputs: [String: Value] = [:]
                for n in tc.children("inputNode") { if let key = n.attributes["name"] { inputs[key] = value(n) } }
                for rn in tc.children("resultNode") {
                    let node = rn.attributes["name"] ?? "?"
                    let expectError = rn.attributes["errorResult"] == "true"
                    let expected = rn.child("expected").map(value) ?? .null
                    guard let model = models[modelName] ?? (models.count == 1 ? models.values.first : nil) else {
                        results.append(CaseResult(folder: name, caseId: id, node: node, passed: false, expected: JSON.encode(expected),
                                                  actual: "model not loaded: \(modelErrors[modelName] ?? modelName)"))
                        continue
                    }
                    let evaluator = DecisionEvaluator(model: model)
                    do {
                        var actual: Value
                        if tc.attributes["type"] == "decisionService", let svc = tc.attributes["invocableName"], let service = model.services[svc] {
                            // the service is invoked with the inputs; each result node is one of its outputs
                            actual = try evaluator.evaluate(svc, inputs: inputs)
                            if service.outputs.count > 1 { actual = actual[member: node] }
                        } else {
                            actual = try evaluator.evaluate(node, inputs: inputs)
                        }
                        let ok = expectError ? actual.isNull : same(expected, actual)
                        results.append(CaseResult(folder: name, caseId: id, node: node, passed: ok, expected: expectError ? "an error" : JSON.encode(expected), actual: JSON.encode(actual)))
                    } catch {
                        results.append(CaseResult(folder: name, caseId: id, node: node, passed: expectError || expected.isNull,
                                                  expected: expectError ? "an error" : JSON.encode(expected), actual: "error: \(error.message)"))
                    }
                }
            }
        }
        return FolderResult(folder: name, results: results)
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
            case "decimal", "double", "float", "int", "integer", "long", "short": return Double(text.trimmingCharacters(in: .whitespaces)).map(Value.number) ?? .null
            case "boolean": return .bool(text.trimmingCharacters(in: .whitespaces) == "true")
            case "date", "time", "dateTime", "duration", "dayTimeDuration", "yearMonthDuration":
                return Temporal.parse(text).map(Value.temporal) ?? .string(text)
            default: return .string(text)
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
        case (.context(let x), .context(let y)): return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!) }
        default: return a == b
        }
    }
}
