import ArgumentParser
import BPMModel
import BPMRuntime
import BPMServer

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the resolved flow of a definition.",
        discussion: """
        Shows every element and where each path goes next, after the DSL's rules (fall-through
        to the next listed activity, decision paths, forks, timeouts) have been applied — so you
        can see what your YAML means. '--format dot' prints Graphviz for drawing; '--format svg'
        prints the diagram the web UI shows (BPMN diagram-interchange coordinates, or a layered
        layout for YAML).
        """
    )

    @Argument(help: "A definition file (YAML or BPMN 2.0 XML).")
    var file: String

    @Option(help: "The process to use, for BPMN files with several (default: the first executable one).")
    var process: String?

    @Option(help: "text, dot or svg.")
    var format = "text"

    func run() throws {
        guard ["text", "dot", "svg"].contains(format) else { throw ValidationError("--format is text, dot or svg, not '\(format)'") }
        do {
            let (def, _) = try DefinitionLoader.load(path: file, processId: process)
            switch format {
            case "dot": print(FlowPrinter.dot(def), terminator: "")
            case "svg": print(BPMServer.diagramSVG(def))
            default: print(FlowPrinter.text(def), terminator: "")
            }
        } catch {
            // a model the engine refuses can still be drawn from its diagram interchange
            if format == "svg", file.hasSuffix(".bpmn"), let source = try? String(contentsOfFile: file, encoding: .utf8),
               let svg = BPMServer.diagramSVG(bpmn: source) {
                for e in error.errors { printError("warning: not executable, drawn from its diagram only: \(e.description)") }
                print(svg)
                return
            }
            for e in error.errors { printError(e.description) }
            throw ExitCode(1)
        }
    }
}
