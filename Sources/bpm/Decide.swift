import ArgumentParser
import BPMDecisions
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a DMN decision.",
        discussion: """
        Prints the decision's result as JSON. On an error it prints {"error": REASON} and exits 1.

          bpm decide loan.dmn --decision "Approval Status" --input '{"Age": 18, "RiskCategory": "Medium", "isAffordable": true}'
        """
    )

    @Argument(help: "A DMN model.")
    var model: String

    @Option(help: "The decision's name or id.")
    var decision: String

    @Option(help: "The input data as a JSON object.")
    var input = "{}"

    func run() throws {
        func fail(_ reason: String) throws -> Never {
            print(JSON.encode(["error": .string(reason)]))
            throw ExitCode(1)
        }
        let text: String
        do { text = try DefinitionLoader.read(path: model) } catch { try fail(error.errors.map(\.description).joined(separator: "; ")) }
        let m: DecisionModel
        do { m = try DMNReader.read(source: text, file: model) } catch { try fail(error.errors.map(\.description).joined(separator: "; ")) }
        guard case .context(let inputs)? = try? JSON.parse(input) else { try fail("--input must be a JSON object") }
        do { print(JSON.encode(try DecisionEvaluator(model: m).evaluate(decision, inputs: inputs))) } catch { try fail(error.message) }
    }
}

struct TCK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tck",
        abstract: "Run DMN TCK-format test folders.",
        discussion: """
        Runs every folder below the given folders that holds a model (*.dmn) and test files
        (*-test-*.xml), and prints a table: per folder the share of cases passed, then
        'folder: passed/cases' (the line earlier versions printed), then 'N passed, M failed'. --verbose shows each failing case with its expected and
        actual value. --results FILE writes the TCK runner's results file (CSV: test folder,
        test file, test case id, SUCCESS/FAILURE/ERROR, detail), to compare with other vendors'.
        Exit 1 when a case fails.
        """
    )

    @Argument(help: "Folders to search for test cases.")
    var folders: [String]

    @Flag(help: "Show every failing case.")
    var verbose = false

    @Option(help: "Write the TCK results file (CSV) here.")
    var results: String?

    func run() throws {
        var passed = 0, failed = 0
        var rows: [String] = []
        print("     %  folder: passed/cases")
        for folder in TCKRunner.caseFolders(folders) {
            let r = TCKRunner.run(folder: folder)
            passed += r.passed
            failed += r.results.count - r.passed
            rows += r.csvRows
            let share = r.results.isEmpty ? 100 : 100 * Double(r.passed) / Double(r.results.count)
            // the share first, then the line earlier versions printed, unchanged, for scripts that read it
            print(String(format: "%6.1f  ", share) + "\(r.folder): \(r.passed)/\(r.results.count)")
            if verbose {
                for c in r.results where !c.passed { print("  ✘ \(c.caseId) \(c.node): expected \(c.expected), got \(c.actual)") }
            }
        }
        if let results {
            do {
                try (rows.joined(separator: "\n") + "\n").write(toFile: results, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(results): \(error.localizedDescription)")
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
