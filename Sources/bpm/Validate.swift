import ArgumentParser
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check definition files and report every problem.",
        discussion: """
        Prints each problem as FILE:LINE:COL: error: MESSAGE (the format editors and CI
        understand) and exits 1 if any file has problems; prints 'FILE: ok' for valid files.
        Problems Camunda 8 deploys anyway (a BPMN element no path reaches, a start event without
        outgoing flows) are printed as FILE:LINE:COL: warning: MESSAGE and do not fail the file.
        """
    )

    @Argument(help: "Definition files (YAML, BPMN 2.0 XML, DMN, rule sets) and process test files (NAME.test.yaml).")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print nothing for valid files.")
    var quiet = false

    func run() throws {
        var failed = false
        for file in files {
            do {
                let source = try DefinitionLoader.read(path: file)
                if ProcessTestRunner.suffixes.contains(where: file.hasSuffix) {
                    let t = try ScenarioReader.read(source: source, file: file)
                    if !quiet { print("\(file): ok (test file: \(t.scenarios.count) scenarios)") }
                    continue
                }
                let check = DefinitionCheck.run(source: source, file: file)
                for e in check.reported { printError(e.description) }
                if !check.valid {
                    failed = true
                } else if !quiet {
                    print("\(file): ok (\(check.summary))")
                }
            } catch {
                failed = true
                for e in error.errors { printError(e.description) }
            }
        }
        if failed { throw ExitCode(1) }
    }
}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
