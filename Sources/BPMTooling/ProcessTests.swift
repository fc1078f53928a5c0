import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

/// The result of one scenario.
public struct ScenarioOutcome: Sendable {
    public var file: String
    public var name: String
    /// Why it failed, one readable explanation per unmet expectation; empty when it passed.
    public var failures: [String]
    public var seconds: Double
    public var passed: Bool { failures.isEmpty }
}

/// Runs process test files (`*.test.yaml`): each scenario on its own simulated instance, with
/// connector calls answered by the scenario's stubs (see docs/testing.md).
public enum ProcessTestRunner {
    public static let suffixes = [".test.yaml", ".test.yml"]

    /// The test files named by paths: test files themselves, the test file beside a definition,
    /// and every test file below a folder. Sorted, without repeats.
    public static func testFiles(_ paths: [String]) -> (files: [String], problems: [String]) {
        var out: [String] = []
        var problems: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                problems.append("\(p): no such file or folder")
                continue
            }
            if isDir.boolValue {
                let e = fm.enumerator(atPath: p)
                var found: [String] = []
                while let rel = e?.nextObject() as? String {
                    if suffixes.contains(where: rel.hasSuffix) { found.append((p as NSString).appendingPathComponent(rel)) }
                }
                out += found.sorted()
            } else if suffixes.contains(where: p.hasSuffix) {
                out.append(p)
            } else {
                let stem = (p as NSString).deletingPathExtension
                if let t = suffixes.map({ stem + $0 }).first(where: { fm.fileExists(atPath: $0) }) { out.append(t) } else {
                    problems.append("\(p): no test file beside it (expected \(stem).test.yaml)")
                }
            }
        }
        var seen: Set<String> = []
        return (out.filter { seen.insert($0).inserted }, problems)
    }

    /// The definition a test file is about: `process:` relative to the test file, or the
    /// definition beside it with the same name.
    static func definitionPath(for test: ScenarioFile) -> String? {
        let dir = (test.file as NSString).deletingLastPathComponent
        if let p = test.process { return p.hasPrefix("/") ? p : (dir as NSString).appendingPathComponent(p) }
        guard let suffix = suffixes.first(where: test.file.hasSuffix) else { return nil }
        let stem = String(test.file.dropLast(suffix.count))
        return ["yaml", "yml", "bpmn", "bpmn2"].map { stem + "." + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// What a test file runs: its definition file and the other files it deploys beside it,
    /// and the decisions its rules tasks call.
    struct Material {
        var files: [(source: String, file: String)] = []
        /// Every process the files deploy.
        var processes: [ProcessDefinition] = []
        var decisions: [DecisionModel] = []
    }

    /// Runs every scenario of a test file. A file that cannot be read, or whose definition does
    /// not load, gives one failed outcome with the errors.
    public static func run(file: String) async -> [ScenarioOutcome] {
        func broken(_ why: [String]) -> [ScenarioOutcome] { [ScenarioOutcome(file: file, name: "(file)", failures: why, seconds: 0)] }
        let test: ScenarioFile
        do { test = try ScenarioReader.read(source: try DefinitionLoader.read(path: file), file: file) } catch {
            return broken(error.errors.map(\.description))
        }
        guard let defPath = definitionPath(for: test) else {
            return broken(["\(file): no definition beside the test file; name it with 'process: FILE'"])
        }
        let material: Material
        do { material = try load(test, definition: defPath) } catch { return broken(error.errors.map(\.description)) }
        var out: [ScenarioOutcome] = []
        for s in test.scenarios {
            let began = Date()
            let failures = await run(s, material, processId: test.processId, start: test.start)
            out.append(ScenarioOutcome(file: file, name: s.name, failures: failures, seconds: Date().timeIntervalSince(began)))
        }
        return out
    }

    /// Runs each scenario of a test file's steps on its own simulated run and returns the runs
    /// (their expectations unchecked): to compare a run with the same steps elsewhere.
    public static func simulations(file: String) async throws -> (test: ScenarioFile, runs: [(Scenario, Simulation)]) {
        let test = try ScenarioReader.read(source: try DefinitionLoader.read(path: file), file: file)
        guard let defPath = definitionPath(for: test) else { throw Runtime.RuntimeError.rejected("\(file): no definition beside it") }
        let m = try load(test, definition: defPath)
        var runs: [(Scenario, Simulation)] = []
        for s in test.scenarios {
            let sim = try await Simulation(files: m.files, process: test.processId, decisions: m.decisions,
                                           connectors: ConnectorRegistry(fallback: StubConnector(s.stubs)), start: test.start)
            for step in s.steps {
                if let why = await perform(step, s, sim) { throw Runtime.RuntimeError.rejected(why) }
            }
            runs.append((s, sim))
        }
        return (test, runs)
    }

    /// Reads the files a test file names, relative to it.
    static func load(_ test: ScenarioFile, definition defPath: String) throws(DefinitionErrors) -> Material {
        let dir = (test.file as NSString).deletingLastPathComponent
        func path(_ p: String) -> String { p.hasPrefix("/") ? p : (dir as NSString).appendingPathComponent(p) }
        var m = Material()
        // the process under test first: a run begins there
        _ = try DefinitionLoader.load(path: defPath, processId: test.processId)
        for p in [defPath] + test.definitions.map(path) {
            let source = try DefinitionLoader.read(path: p)
            if DefinitionLoader.isDecisionSource(source) {
                m.decisions.append(try DecisionRegistry.parse(source: source, file: p))
                continue
            }
            m.files.append((source, p))
            m.processes += try DefinitionLoader.parseAll(source: source, file: p)
        }
        for d in test.decisions.map(path) {
            m.decisions.append(try DecisionRegistry.parse(source: try DefinitionLoader.read(path: d), file: d))
        }
        return m
    }

    static func run(_ s: Scenario, _ m: Material, processId: String?, start: Date) async -> [String] {
        var failures = unknownElements(s, m.processes)
        if !failures.isEmpty { return failures }
        let sim: Simulation
        do {
            sim = try await Simulation(files: m.files, process: processId, decisions: m.decisions,
                                       connectors: ConnectorRegistry(fallback: StubConnector(s.stubs)), start: start)
        } catch {
            return ["\(s.location.file):\(s.location.line): the scenario cannot run: \(error)"]
        }
        for step in s.steps {
            if let why = await perform(step, s, sim) {
                failures.append(why)
                return failures
            }
        }
        failures += check(s.expect, sim)
        if !failures.isEmpty, !sim.notes.isEmpty { failures += sim.notes.map { "note: " + $0 } }
        if !failures.isEmpty, let stop = sim.stopped { failures.append("note: " + stop.message) }
        return failures
    }

    /// Performs one step; why it cannot be, if it cannot.
    static func perform(_ step: ScenarioStep, _ s: Scenario, _ sim: Simulation) async -> String? {
        let at = "\(step.location.file):\(step.location.line)"
        switch step.kind {
        case .start(let vars):
            guard sim.state == nil else { return "\(at): 'start' but the instance already started" }
            await sim.start(variables: s.variables.merging(vars) { _, x in x })
        case .startProcess(let process, let vars):
            guard await sim.start(process: process, variables: vars) != nil else {
                return "\(at): cannot start '\(process)': \(sim.notes.last ?? "not deployed")"
            }
        case .event(let e):
            await sim.deliver(event: e, extraVariables: sim.state == nil ? s.variables : [:])
        case .advance(let seconds):
            await sim.runTimers(until: seconds.map { sim.now.addingTimeInterval($0) })
        case .complete(let element, let vars):
            guard let task = sim.openTasks.first(where: { $0.elementId == element }) else {
                let open = sim.openTasks.map(\.elementId)
                return "\(at): no open user task at '\(element)' to complete (open tasks: "
                    + "\(open.isEmpty ? "none" : open.joined(separator: ", ")); \(describe(sim)))"
            }
            await sim.completeTask(task.id, variables: vars)
        case .message(let name, let key, let vars):
            if !(await sim.publish(PublishedMessage(name: name, correlationKey: key, variables: vars))) {
                return "\(at): no subscription took message '\(name)'\(key.map { " with key '\($0)'" } ?? "") (\(describe(sim)))"
            }
        case .signal(let name, let vars):
            let r = await sim.broadcast(signal: name, variables: vars)
            if r.correlated == 0 && r.started == 0 {
                return "\(at): no instance waits for signal '\(name)' and none starts on it (\(describe(sim)))"
            }
        }
        return nil
    }

    /// Expectations and steps that name elements no deployed process has.
    static func unknownElements(_ s: Scenario, _ processes: [ProcessDefinition]) -> [String] {
        let ids = Set(processes.flatMap { $0.elements.map(\.id) })
        let owners = processes.map(\.id).joined(separator: "', '")
        var out: [String] = []
        func check(_ names: [String], _ loc: SourceLocation, _ what: String) {
            for n in names where !ids.contains(n) {
                let hint = Suggest.closest(n, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                out.append("\(loc.file):\(loc.line): \(what) names '\(n)', which is not an element of '\(owners)'\(hint)")
            }
        }
        for step in s.steps { if case .complete(let el, _) = step.kind { check([el], step.location, "complete") } }
        let e = s.expect
        for (l, what) in [(e.path, "expect.path"), (e.pathIncludes, "expect.path_includes"), (e.pathExcludes, "expect.path_excludes"), (e.waiting, "expect.waiting")] {
            if let l { check(l.value, l.location, what) }
        }
        return out
    }

    static func describe(_ sim: Simulation) -> String {
        "status \(sim.statusWord), path \(sim.path.isEmpty ? "(empty)" : sim.path.joined(separator: " → "))"
    }
}

/// Answers connector calls from a scenario's stubs: per action, one outcome per call, the last
/// repeating; actions without a stub complete with no output.
final class StubConnector: Connector, @unchecked Sendable {
    let stubs: [String: [StubOutcome]]
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(_ stubs: [String: [StubOutcome]]) { self.stubs = stubs }

    func execute(_ job: JobRecord) async -> ConnectorOutcome {
        let n: Int = lock.withLock {
            let n = counts[job.action, default: 0]
            counts[job.action] = n + 1
            return n
        }
        guard let list = stubs[job.action], !list.isEmpty else { return .completed([:]) }
        switch list[min(n, list.count - 1)] {
        case .output(let o): return .completed(o)
        case .fail(let m, let r): return .failed(message: m, retryable: r)
        case .error(let c, let m): return .bpmnError(code: c, message: m)
        }
    }
}
