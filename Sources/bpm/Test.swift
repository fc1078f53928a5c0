import ArgumentParser
import BPMRuntime
import BPMTooling
import Foundation

struct Test: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run process test scenarios (NAME.test.yaml beside the definitions).",
        discussion: """
        Each scenario starts one instance of the definition beside its test file on a simulated
        clock, delivers its events, advances time, completes user tasks and publishes messages
        as its steps say, answers connector calls from its stubs, and checks what it expects:
        status, path, variables, connector calls, incidents, user tasks, where it waits.
        See docs/testing.md.

        PATH is a test file, a definition (its test file is used) or a folder (every test file
        below it). Without a PATH, the current folder.

        Exit status: 0 when every scenario passed, 1 otherwise.
        """
    )

    @Argument(help: "Test files, definitions or folders.")
    var paths: [String] = []

    @Option(help: "Write the results as JUnit XML to this file.")
    var junit: String?

    @Flag(help: "Print only failures and the summary.")
    var quiet = false

    func run() async throws {
        let (files, problems) = ProcessTestRunner.testFiles(paths.isEmpty ? ["."] : paths)
        for p in problems { printError(p) }
        var outcomes: [ScenarioOutcome] = []
        for f in files {
            let results = await ProcessTestRunner.run(file: f)
            outcomes += results
            if !quiet || results.contains(where: { !$0.passed }) { print(f) }
            for r in results {
                if r.passed {
                    if !quiet { print("  ✓ \(r.name) (\(Int((r.seconds * 1000).rounded())) ms)") }
                } else {
                    print("  ✗ \(r.name)")
                    for line in r.failures.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false) { print("      " + line) }
                }
            }
        }
        if let junit {
            do { try ProcessTestRunner.junit(outcomes).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                printError("cannot write \(junit): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        let failed = outcomes.filter { !$0.passed }.count
        print("\(outcomes.count - failed) passed, \(failed) failed")
        if failed > 0 || !problems.isEmpty || files.isEmpty {
            if files.isEmpty { printError("no test files found (they are named NAME.test.yaml)") }
            throw ExitCode(1)
        }
    }
}
