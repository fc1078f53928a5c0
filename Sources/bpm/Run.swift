import ArgumentParser
import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a process on a simulated clock, on the production engine.",
        discussion: """
        Deploys the file's processes (and those of --deploy files) into a temporary store and
        runs them on the engine `bpm serve` runs, with a simulated clock and a connector
        sandbox. One instance of the process starts; every instance it leads to runs too:
        call activities start their called processes, thrown messages and signals reach other
        instances, timers fire across instances in due order — at once, on the simulated clock.
        The run ends when every instance completed or waits on something outside (a person, a
        message from outside), or at a bound.

        Events: the first --event starts the instance (when the trigger condition holds);
        later ones go to the instance running for their correlation key (or start another).
        Each event is processed until the instances wait, then the next is delivered; once
        none remain, the clock jumps to each next due timer.

        --var NAME=VALUE sets a start variable; VALUE is read as JSON when it parses as JSON
        (numbers, booleans, quoted strings, objects), otherwise as a string.

        --dry-run records every connector call (action and resolved payload) instead of
        performing it. Without it, database_log prints to standard error and other actions
        raise an incident naming the action.

        Bounds (nothing runs for ever): --max-steps element activations of one instance
        without waiting (an endless loop becomes a step_limit incident naming the loop; the
        same bound stops a loop through connector calls that never lets the clock move),
        --max-timer-firings timers and --max-time of simulated time per run.

        Exit status: 0 when the instance completed or waits; 1 when it failed or could not
        start, when any instance of the run is left on an incident, or when a bound stopped
        the run.
        """
    )

    @Argument(help: "A definition file (YAML or BPMN 2.0 XML).")
    var file: String

    @Option(help: "The process to start, for BPMN files with several (default: the first executable one).")
    var process: String?

    @Option(name: .customLong("var"), help: "A start variable, NAME=VALUE (repeatable).")
    var vars: [String] = []

    @Option(name: .customLong("event"), help: "An event as JSON (repeatable).")
    var events: [String] = []

    @Flag(help: "Record connector calls instead of performing them.")
    var dryRun = false

    @Option(name: .customLong("decisions"), help: "A DMN model or YAML rule set the process's rules tasks call (repeatable).")
    var decisionFiles: [String] = []

    @Option(name: .customLong("deploy"), help: "Another definition file to deploy beside FILE: processes it calls, or that its messages and signals reach (repeatable).")
    var deployFiles: [String] = []

    @Option(help: "Most element activations of one instance without waiting.")
    var maxSteps = Limits().steps

    @Option(help: "Most timers fired in the run.")
    var maxTimerFirings = Simulation.Bounds().timerFirings

    @Option(help: "Most simulated time the run covers (a duration: 30d, PT12H).")
    var maxTime = "366d"

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
        if maxTimerFirings < 0 { throw ValidationError("--max-timer-firings must not be negative") }
        if (try? DurationParser.seconds(maxTime)) == nil { throw ValidationError("--max-time is not a duration: '\(maxTime)'") }
    }

    func run() async throws {
        Limits.active.steps = maxSteps
        let sources = try readSources()
        let sim: Simulation
        do {
            sim = try await Simulation(files: sources.processes, process: process, decisions: sources.decisions,
                                       connectors: connectors(), start: Date(), bounds: bounds())
        } catch let error as DefinitionErrors {
            for e in error.errors { printError(e.description) }
            throw ExitCode(1)
        } catch {
            printError("bpm run: \(error)")
            throw ExitCode(1)
        }
        let parsedEvents = try parseEvents()
        if parsedEvents.isEmpty {
            await sim.start(variables: try variables())
        } else {
            let vars = try variables()
            for (i, e) in parsedEvents.enumerated() { await sim.deliver(event: e, extraVariables: i == 0 ? vars : [:]) }
        }
        await sim.runTimers()
        if json { print(JSON.encode(sim.report)) } else { printHuman(sim) }
        if !sim.succeeded { throw ExitCode(1) }
    }

    /// The definition files and decision models to deploy; the run's file first.
    func readSources() throws -> (processes: [(source: String, file: String)], decisions: [DecisionModel]) {
        var processes: [(String, String)] = []
        var decisions: [DecisionModel] = []
        do {
            _ = try DefinitionLoader.load(path: file, processId: process)
            for f in [file] + deployFiles {
                let source = try DefinitionLoader.read(path: f)
                if DefinitionLoader.isDecisionSource(source) { decisions.append(try DecisionRegistry.parse(source: source, file: f)) } else {
                    processes.append((source, f))
                }
            }
            for f in decisionFiles { decisions.append(try DecisionRegistry.parse(source: try DefinitionLoader.read(path: f), file: f)) }
        } catch {
            for e in error.errors { printError(e.description) }
            throw ExitCode(1)
        }
        return (processes, decisions)
    }

    func connectors() -> ConnectorRegistry {
        dryRun ? ConnectorRegistry(fallback: RecordingConnector()) : ConnectorRegistry(["database_log": StderrLogConnector()])
    }

    func bounds() -> Simulation.Bounds {
        Simulation.Bounds(timerFirings: maxTimerFirings, horizon: (try? DurationParser.seconds(maxTime)) ?? 366 * 86_400)
    }

    func variables() throws -> [String: Value] {
        var variables: [String: Value] = [:]
        for v in vars {
            guard let eq = v.firstIndex(of: "=") else { throw ValidationError("--var expects NAME=VALUE, got '\(v)'") }
            let text = String(v[v.index(after: eq)...])
            variables[String(v[..<eq])] = (try? JSON.parse(text)) ?? .string(text)
        }
        return variables
    }

    func parseEvents() throws -> [Value] {
        var out: [Value] = []
        for (i, e) in events.enumerated() {
            do { out.append(try JSON.parse(e)) } catch {
                throw ValidationError("--event #\(i + 1) is not valid JSON: \(error.message) (at byte \(error.offset))")
            }
        }
        return out
    }

    func printHuman(_ sim: Simulation) {
        print("status: \(sim.statusWord)")
        print("path: " + Self.shown(sim.path))
        if let s = sim.state {
            for t in s.tokens { print("waiting at \(t.elementId) for \(t.wait.kind)") }
            for i in s.incidents { print("incident at \(i.elementId): \(i.message)") }
            if let e = s.error { print("error: \(e.code)" + (e.message.map { " — \($0)" } ?? "")) }
            print("variables: \(JSON.encode(s.variables))")
        }
        let others = sim.others
        if others.count > 20 { print("\(others.count) other instances; the first 20:") }
        for o in others.prefix(20) {
            print("instance \(o.id) of \(o.definitionId): \(Simulation.statusWord(o)), path " + Self.shown(sim.path(of: o.id)))
            for i in o.incidents { print("  incident at \(i.elementId): \(i.message)") }
        }
        for c in sim.effects { print("effect: \(c.action) \(JSON.encode(c.payload))") }
        for n in sim.notes { print("note: \(n)") }
        if let stop = sim.stopped { print("stopped: \(stop.message)") }
    }
}

extension Run {
    /// A path for reading: a long one (a loop) shows its start and its end.
    static func shown(_ path: [String]) -> String {
        guard path.count > 40 else { return path.joined(separator: " → ") }
        return (path.prefix(20) + ["… \(path.count - 40) more …"] + path.suffix(20)).joined(separator: " → ")
    }
}

/// `database_log` for `bpm run` without a store: prints the message to standard error.
struct StderrLogConnector: Connector {
    func execute(_ job: JobRecord) async -> ConnectorOutcome {
        printError("[database_log] \(job.payload[member: "message"].interpolated)")
        return .completed([:])
    }
}
