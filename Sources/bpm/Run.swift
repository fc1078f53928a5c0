import ArgumentParser
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one instance on a simulated clock.",
        discussion: """
        Starts one instance and runs it until it completes or waits on something outside
        (a person, an operator). Timers fire at once, in order, on a simulated clock.

        Events: the first --event starts the instance (when the trigger condition holds);
        later ones correlate to it by the correlation key and refresh its variables. Each
        event is processed until the instance waits, then the next is delivered; once none
        remain, the clock jumps to each next due timer.

        --var NAME=VALUE sets a start variable; VALUE is read as JSON when it parses as JSON
        (numbers, booleans, quoted strings, objects), otherwise as a string.

        --dry-run records every connector call (action and resolved payload) instead of
        performing it. Without it, database_log prints to standard error and other actions
        raise an incident naming the action.

        Exit status: 0 when the instance completed or waits; 1 when it failed or could not start.
        """
    )

    @Argument(help: "A definition file (YAML or BPMN 2.0 XML).")
    var file: String

    @Option(help: "The process to use, for BPMN files with several (default: the first executable one).")
    var process: String?

    @Option(name: .customLong("var"), help: "A start variable, NAME=VALUE (repeatable).")
    var vars: [String] = []

    @Option(name: .customLong("event"), help: "An event as JSON (repeatable).")
    var events: [String] = []

    @Flag(help: "Record connector calls instead of performing them.")
    var dryRun = false

    @Option(name: .customLong("decisions"), help: "A DMN model or YAML rule set the process's rules tasks call (repeatable).")
    var decisionFiles: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let def: ProcessDefinition
        do { def = try DefinitionLoader.load(path: file, processId: process).0 } catch {
            for e in error.errors { printError(e.description) }
            throw ExitCode(1)
        }
        var variables: [String: Value] = [:]
        for v in vars {
            guard let eq = v.firstIndex(of: "=") else { throw ValidationError("--var expects NAME=VALUE, got '\(v)'") }
            let name = String(v[..<eq])
            let text = String(v[v.index(after: eq)...])
            variables[name] = (try? JSON.parse(text)) ?? .string(text)
        }
        var parsedEvents: [Value] = []
        for (i, e) in events.enumerated() {
            do { parsedEvents.append(try JSON.parse(e)) } catch {
                throw ValidationError("--event #\(i + 1) is not valid JSON: \(error.message) (at byte \(error.offset))")
            }
        }

        let recorder = RecordingConnector()
        var connectors = dryRun ? ConnectorRegistry(fallback: recorder) : ConnectorRegistry(["database_log": StderrLogConnector()])
        let decisions = DecisionRegistry()
        for f in decisionFiles {
            do { decisions.add(try DecisionRegistry.parse(source: try DefinitionLoader.read(path: f), file: f)) } catch {
                for e in error.errors { printError(e.description) }
                throw ExitCode(1)
            }
        }
        connectors.registerInternal("decision", DecisionConnector(registry: decisions))
        var sim = Simulation(definition: def, connectors: connectors, start: Date())
        if parsedEvents.isEmpty {
            await sim.start(variables: variables)
        } else {
            for (i, e) in parsedEvents.enumerated() {
                await sim.deliver(event: e, extraVariables: i == 0 ? variables : [:])
            }
        }
        await sim.runTimers()

        if json {
            print(JSON.encode(sim.report))
        } else {
            printHuman(sim)
        }
        if ["failed", "not_started"].contains(sim.statusWord) { throw ExitCode(1) }
    }

    func printHuman(_ sim: Simulation) {
        print("status: \(sim.statusWord)")
        print("path: " + sim.path.joined(separator: " → "))
        if let s = sim.state {
            for t in s.tokens { print("waiting at \(t.elementId) for \(t.wait.kind)") }
            for i in s.incidents { print("incident at \(i.elementId): \(i.message)") }
            if let e = s.error { print("error: \(e.code)" + (e.message.map { " — \($0)" } ?? "")) }
            print("variables: \(JSON.encode(s.variables))")
        }
        for c in sim.effects { print("effect: \(c.action) \(JSON.encode(c.payload))") }
        for n in sim.notes { print("note: \(n)") }
    }
}

/// `database_log` for `bpm run` without a store: prints the message to standard error.
struct StderrLogConnector: Connector {
    func execute(_ job: JobRecord) async -> ConnectorOutcome {
        printError("[database_log] \(job.payload[member: "message"].interpolated)")
        return .completed([:])
    }
}
