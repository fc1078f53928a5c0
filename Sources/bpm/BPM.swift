import ArgumentParser
import BPMBench
import Foundation

@main
struct BPM: AsyncParsableCommand {
    /// `--config FILE` (serve): its BPM_NAME=value lines become environment variables, unless
    /// already set, before the options (whose defaults read the environment) are parsed.
    static func main() async {
        let args = CommandLine.arguments
        if let i = args.firstIndex(of: "--config"), i + 1 < args.count {
            loadConfig(args[i + 1])
        } else if let a = args.first(where: { $0.hasPrefix("--config=") }) {
            loadConfig(String(a.dropFirst("--config=".count)))
        }
        do {
            var command = try parseAsRoot()
            if var c = command as? AsyncParsableCommand { try await c.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }

    static func loadConfig(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            FileHandle.standardError.write(Data("bpm: cannot read the config file \(path)\n".utf8))
            Foundation.exit(2)
        }
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<eq]).trimmingCharacters(in: .whitespaces)
            var value = String(line[line.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let f = value.first, f == value.last, f == "\"" || f == "'" { value = String(value.dropFirst().dropLast()) }
            setenv(name, value, 0)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "bpm",
        abstract: "A business-process engine for event and IoT pipelines.",
        discussion: """
        Processes are written in the YAML DSL (see docs/dsl.md). Try one without any setup:

          bpm validate examples/*.yaml
          bpm graph examples/temperature-control.yaml
          bpm run examples/temperature-control.yaml --dry-run --json \\
              --event '{"tags":{"device_id":"hp1"},"fields":{"flow_temp_c":27.5}}'

        Then run the engine with its API (SQLite store, nothing to install):

          bpm serve --definitions examples
        """,
        subcommands: [Validate.self, Graph.self, Run.self, Serve.self, Bench.self, Decide.self, TCK.self, Test.self,
            New.self, Diff.self, Deploy.self, Export.self, Import.self, Schedules.self, KafkaCommand.self]
    )
}
