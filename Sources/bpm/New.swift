import ArgumentParser
import BPMRuntime
import BPMTooling
import Foundation

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a new process and its test file from a template.",
        discussion: """
        Writes NAME.yaml and NAME.test.yaml (into --dir, default the current folder). Both are
        valid and the test passes as generated: change them from there.

        Templates:
        \(ProcessTemplates.all.map { "  \($0.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))
        """
    )

    @Argument(help: "The template: \(ProcessTemplates.all.map(\.name).joined(separator: ", ")).")
    var template: String

    @Argument(help: "The new process's id (letters, digits, '-' and '_'); also the file name.")
    var name: String

    @Option(help: "The folder to write into.")
    var dir: String = "."

    @Flag(help: "Overwrite existing files.")
    var force = false

    func run() throws {
        guard let t = ProcessTemplates.named(template) else {
            throw ValidationError("unknown template '\(template)'; choose one of: \(ProcessTemplates.all.map(\.name).joined(separator: ", "))")
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.first!.isLetter else {
            throw ValidationError("the name '\(name)' must start with a letter and hold only letters, digits, '-' and '_'")
        }
        let (definition, test) = ProcessTemplates.render(t, id: name)
        let defPath = (dir as NSString).appendingPathComponent(name + ".yaml")
        let testPath = (dir as NSString).appendingPathComponent(name + ".test.yaml")
        for p in [defPath, testPath] where FileManager.default.fileExists(atPath: p) && !force {
            throw ValidationError("\(p) exists; use --force to overwrite it")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try definition.write(toFile: defPath, atomically: true, encoding: .utf8)
        try test.write(toFile: testPath, atomically: true, encoding: .utf8)
        print("wrote \(defPath) and \(testPath); try: bpm test \(testPath)")
    }
}
