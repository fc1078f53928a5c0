import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Definitions past the default limits are refused with a located error naming the option
/// that raises the limit, quickly, whatever they would expand to.
struct LimitsTests {
    func messages(_ body: () throws -> Void) -> [String] {
        do { try body(); return [] } catch let e as DefinitionErrors { return e.errors.map(\.description) } catch { return ["\(error)"] }
    }

    @Test func yamlAliasesCannotExpandADefinitionBeyondTheLimit() {
        // "billion laughs": 9 levels of 10 aliases each would be 10^9 values
        var lines = ["id: lol", "variables:"]
        var previous: String?
        for name in "abcdefghi" {
            let item = previous.map { "*" + $0 } ?? "\"lol\""
            lines += ["  - name: v\(name)", "    value: &\(name) [\(Array(repeating: item, count: 10).joined(separator: ", "))]"]
            previous = String(name)
        }
        lines += ["activities:", "  - {id: ask, type: user, form: *i}"]
        let start = Date()
        let errors = messages { _ = try YAMLDefinitionReader.read(source: lines.joined(separator: "\n"), file: "lol.yaml") }
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("lol.yaml:") == true)
        #expect(errors.first?.contains("the YAML expands to more than \(Limits().yamlNodes) values") == true)
        #expect(errors.first?.contains("--max-yaml-nodes") == true)
        // a few aliases stay fine
        let small = "id: ok\nvariables:\n  - {name: a, value: &x [1, 2]}\n  - {name: b, value: *x}\nactivities:\n  - {id: s, type: script, set: {c: 1}}\n"
        #expect(messages { _ = try YAMLDefinitionReader.read(source: small, file: "ok.yaml") }.isEmpty)
    }

    @Test func aFileLargerThanTheLimitIsRefusedBeforeItIsParsed() {
        let big = "id: big\ndescription: \"" + String(repeating: "x", count: Limits().definitionBytes) + "\"\nactivities: []\n"
        let yaml = messages { _ = try YAMLDefinitionReader.read(source: big, file: "big.yaml") }
        #expect(yaml == ["big.yaml:1:1: error: the file is \(big.utf8.count) bytes; definitions are limited to \(Limits().definitionBytes) bytes (--max-definition-bytes)"])
        let xml = "<definitions>" + String(repeating: " ", count: Limits().definitionBytes) + "</definitions>"
        #expect(messages { _ = try BPMNDefinitionReader.read(source: xml, file: "big.bpmn") }.first?.contains("definitions are limited to") == true)
    }

    @Test func aProcessWithMoreElementsThanTheLimitIsRefused() {
        let n = Limits().elements + 1
        var yaml = "id: huge\nactivities:\n"
        for i in 0..<n { yaml += "  - {id: a\(i), type: script, set: {x: \(i)}}\n" }
        let errors = messages { _ = try YAMLDefinitionReader.read(source: yaml, file: "huge.yaml") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("process 'huge' has") == true)
        #expect(errors.first?.contains("at most \(Limits().elements) are allowed (--max-elements)") == true)
    }
}
