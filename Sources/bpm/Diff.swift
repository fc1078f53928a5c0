import ArgumentParser
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the structural difference between two versions of a process.",
        discussion: """
        Compares the processes the two files define (YAML or BPMN, in any mix): elements and
        flows added (+), removed (-) and changed (~), and changes to the trigger, variables and
        correlation key. Layout, comments and field order do not count.

        Exit status, as diff(1): 0 when the processes are the same, 1 when they differ, 2 on errors.
        """
    )

    @Argument(help: "The old version's file.")
    var old: String

    @Argument(help: "The new version's file.")
    var new: String

    @Option(help: "The process to compare, for BPMN files with several.")
    var process: String?

    @Flag(help: "Print the difference as JSON.")
    var json = false

    func run() throws {
        let a: ProcessDefinition, b: ProcessDefinition
        do {
            a = try DefinitionLoader.load(path: old, processId: process).0
            b = try DefinitionLoader.load(path: new, processId: process).0
        } catch {
            for e in error.errors { printError(e.description) }
            throw ExitCode(2)
        }
        let d = DefinitionDiff(from: a, to: b)
        if json { print(JSON.encode(d.value)) } else { for l in d.lines { print(l) } }
        if !d.isEmpty { throw ExitCode(1) }
    }
}
