import ArgumentParser
import BPMRuntime
import BPMTooling
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model of another engine into a YAML process.",
        subcommands: [IoTEvents.self]
    )

    struct IoTEvents: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "iot-events",
            abstract: "Convert an AWS IoT Events detector model (JSON) into a YAML process, "
                + "one instance per detector key.",
            discussion: """
            Reads the JSON of CreateDetectorModel or DescribeDetectorModel (docs/iot-events.md has the mapping).
            The YAML goes to standard output (or --output); everything the process does not do is listed on
            standard error as JSONPATH: not mapped: WHY. Exit status: 0 when everything mapped, 2 when something
            was not mapped (the YAML is still written), 1 when the file cannot be read or is not a detector model
            (FILE:LINE:COL: error: MESSAGE).
            """
        )

        @Argument(help: "The detector model's JSON file.")
        var file: String

        @Option(name: [.short, .long], help: "Where to write the YAML (default: standard output).")
        var output: String?

        @Option(help: "The topic the input's messages arrive on (default: the input's name).")
        var topic: String?

        @Option(help: "Where the messages arrive: mqtt or kafka.")
        var source = "mqtt"

        @Option(help: "The URL the HTTP steps standing for Lambda actions call (default: a placeholder, reported).")
        var lambdaURL: String?

        @Option(help: "How long a message that arrives while the detector is busy is kept for it.")
        var ttl = "1h"

        @Option(help: "The process id (default: the detector model's name).")
        var id: String?

        @Option(help: "The input the process waits for, when the model reads several (default: the one read most).")
        var input: String?

        func run() throws {
            guard ["mqtt", "kafka"].contains(source) else { throw ValidationError("--source is mqtt or kafka") }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                printError("\(file): error: cannot read the file")
                throw ExitCode(1)
            }
            var options = IoTEventsImport.Options()
            (options.topic, options.source, options.lambdaURL, options.ttl) = (topic, source, lambdaURL, ttl)
            (options.processId, options.input) = (id, input)
            let out: IoTEventsImport.Output
            do { out = try IoTEventsImport.convert(text: text, file: file, options: options) } catch {
                printError(error.description)
                throw ExitCode(1)
            }
            do { _ = try DefinitionLoader.parseAll(source: out.yaml, file: output ?? "<generated>") } catch {
                for e in error.errors { printError("bpm import: the generated YAML does not load: \(e.description)") }
                throw ExitCode(1)
            }
            if let output {
                do { try out.yaml.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    printError("bpm: cannot write \(output): \(error.localizedDescription)")
                    throw ExitCode(1)
                }
            } else {
                print(out.yaml, terminator: "")
            }
            for u in out.unmapped { printError(u.description) }
            if !out.unmapped.isEmpty { throw ExitCode(2) }
        }
    }
}
