import BPMDecisions
import BPMExpressions
import Foundation
import Testing

let tck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/conformance/dmn-tck")

/// The DMN TCK (../shared/conformance/dmn-tck) as a test suite: every case evaluated and
/// compared with its expected value; pass counts per folder are printed.
///
/// Cases that cannot pass here, by name: none in this material. In the full TCK, the cases of
/// `compliance-level-3/0076-feel-external-java` (Java external functions) and any model with a
/// `kind="PMML"` function cannot: this engine runs FEEL only, and refuses such models at deploy
/// with a message naming the function (see `DMNConformanceTests.refusedAtDeploy`).
@Suite struct TCKTests {
    func run(_ level: String) -> (passed: Int, total: Int, lines: [String]) {
        var passed = 0, total = 0
        var lines: [String] = []
        for folder in TCKRunner.caseFolders([tck.appendingPathComponent(level).path]) {
            let r = TCKRunner.run(folder: folder)
            passed += r.passed
            total += r.results.count
            lines.append("\(r.folder) \(r.passed)/\(r.results.count)")
        }
        return (passed, total, lines)
    }

    @Test func complianceLevel2IsComplete() {
        let r = run("compliance-level-2")
        print("DMN TCK level 2: \(r.passed)/\(r.total) — " + r.lines.joined(separator: ", "))
        #expect(r.total == 126)
        #expect(r.passed == r.total)
    }

    @Test func complianceLevel3DoesNotRegress() {
        let r = run("compliance-level-3")
        print("DMN TCK level 3: \(r.passed)/\(r.total) — " + r.lines.joined(separator: ", "))
        #expect(r.total == 852)
        #expect(r.passed == r.total, "every level 3 case passes")
    }
}

@Suite struct TCKResultsFileTests {
    // the TCK runner's results file: one row per test case, quoted CSV
    @Test func rowsPerTestCase() throws {
        let folder = tck.appendingPathComponent("compliance-level-2/0001-input-data-string").path
        let rows = TCKRunner.run(folder: folder).csvRows
        #expect(rows.first == "\"compliance-level-2/0001-input-data-string\",\"0001-input-data-string-test-01\",\"001\",\"SUCCESS\",\"\"")
        var failing = TCKRunner.FolderResult(folder: "f", results: [
            .init(folder: "f", testFile: "t", caseId: "1", node: "a", passed: false, expected: "\"x\"", actual: "null"),
        ])
        failing.group = "g"
        #expect(failing.csvRows == ["\"g/f\",\"t\",\"1\",\"FAILURE\",\"a: expected \"\"x\"\", got null\""])
    }
}

@Suite struct DecisionTableTests {
    static let model = """
    <definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="alerts" id="m">
      <inputData name="device status" id="i1"/>
      <inputData name="temperature" id="i2"/>
      <decision name="route" id="d1">
        <informationRequirement><requiredInput href="#i1"/></informationRequirement>
        <decisionTable hitPolicy="FIRST">
          <input><inputExpression><text>device status</text></inputExpression></input>
          <input><inputExpression><text>temperature</text></inputExpression></input>
          <output name="path"/>
          <rule><inputEntry><text>"error"</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>"maintenance"</text></outputEntry></rule>
          <rule><inputEntry><text>-</text></inputEntry><inputEntry><text>&gt; 25</text></inputEntry><outputEntry><text>"cooling"</text></outputEntry></rule>
          <rule><inputEntry><text>not("error")</text></inputEntry><inputEntry><text>[0..25]</text></inputEntry><outputEntry><text>"normal"</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>
    """

    @Test func thePlansRoutingRule() throws {
        let m = try DMNReader.read(source: Self.model, file: "alerts.dmn")
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("route", inputs: ["device status": "error", "temperature": 20]) == "maintenance")
        #expect(try e.evaluate("route", inputs: ["device status": "ok", "temperature": 30]) == "cooling")
        #expect(try e.evaluate("route", inputs: ["device status": "ok", "temperature": 20]) == "normal")
        #expect(try e.evaluate("route", inputs: ["device status": "ok", "temperature": -5]) == .null)
        #expect(throws: DecisionError.self) { try e.evaluate("nope", inputs: [:]) }
    }
}
