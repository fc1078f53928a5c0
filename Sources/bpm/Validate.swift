import ArgumentParser
import BPMModel
import BPMRuntime
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check definition files and report every problem.",
        discussion: """
        Prints each problem as FILE:LINE:COL: error: MESSAGE (the format editors and CI
        understand) and exits 1 if any file has problems; prints 'FILE: ok' for valid files.
        """
    )

    @Argument(help: "Definition files (YAML).")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print nothing for valid files.")
    var quiet = false

    func run() throws {
        var failed = false
        for file in files {
            do {
                let (def, _) = try DefinitionLoader.load(path: file)
                if !quiet { print("\(file): ok (\(def.id): \(def.elements.count) elements, \(def.flows.count) flows)") }
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
