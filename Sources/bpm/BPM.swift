import ArgumentParser

@main
struct BPM: AsyncParsableCommand {
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
        subcommands: [Validate.self, Graph.self, Run.self, Serve.self, Bench.self, Decide.self, TCK.self, Test.self, New.self, Diff.self, Deploy.self]
    )
}
