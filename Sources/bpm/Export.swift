import ArgumentParser
import BPMModel
import BPMRuntime
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a YAML definition as BPMN 2.0 XML for Camunda Modeler and Camunda 8.",
        discussion: """
        The BPMN has diagram interchange laid out as 'bpm graph --format svg' draws the process,
        and zeebe: extensions; what BPMN has no form for (the trigger, variables, connector
        backoff, results) is kept in bpm: extension elements that bpm reads back, so the exported
        file runs as the YAML does (docs/bpmn.md, "Export from YAML"). Without --output the XML
        goes to standard output. A YAML file with problems, or with something that cannot be
        exported, prints each as FILE:LINE:COL: error: MESSAGE and exits with status 1.
        """
    )

    @Flag(help: "Write BPMN 2.0 XML (the only format so far).")
    var bpmn = false

    @Argument(help: "A YAML definition file.")
    var file: String

    @Option(name: [.short, .long], help: "Where to write the BPMN (default: standard output).")
    var output: String?

    func run() throws {
        guard bpmn else { throw ValidationError("say which format to export: --bpmn") }
        let xml: String
        do {
            let source = try DefinitionLoader.read(path: file)
            xml = try BPMNWriter.export(yaml: source, file: file)
        } catch {
            for e in error.errors { printError(e.description) }
            throw ExitCode(1)
        }
        guard let output else {
            print(xml, terminator: "")
            return
        }
        do { try xml.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            printError("bpm: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}
