import BPMEngine
import BPMExpressions
import BPMModel
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
        let def: ProcessDefinition
        let decisions = DecisionRegistry()
        do {
            def = try DefinitionLoader.load(path: defPath, processId: test.processId).0
            let dir = (file as NSString).deletingLastPathComponent
            for d in test.decisions {
                let path = d.hasPrefix("/") ? d : (dir as NSString).appendingPathComponent(d)
                decisions.add(try DecisionRegistry.parse(source: try DefinitionLoader.read(path: path), file: path))
            }
        } catch {
            return broken(error.errors.map(\.description))
        }
        var out: [ScenarioOutcome] = []
        for s in test.scenarios {
            let began = Date()
            let failures = await run(s, definition: def, decisions: decisions, start: test.start)
            out.append(ScenarioOutcome(file: file, name: s.name, failures: failures, seconds: Date().timeIntervalSince(began)))
        }
        return out
    }

    static func run(_ s: Scenario, definition def: ProcessDefinition, decisions: DecisionRegistry, start: Date) async -> [String] {
        var failures = unknownElements(s, def)
        if !failures.isEmpty { return failures }
        var connectors = ConnectorRegistry(fallback: StubConnector(s.stubs))
        connectors.registerInternal("decision", DecisionConnector(registry: decisions))
        var sim = Simulation(definition: def, connectors: connectors, start: start)
        for step in s.steps {
            let at = "\(step.location.file):\(step.location.line)"
            switch step.kind {
            case .start(let vars):
                guard sim.state == nil else { failures.append("\(at): 'start' but the instance already started"); return failures }
                await sim.start(variables: s.variables.merging(vars) { _, x in x })
            case .event(let e):
                await sim.deliver(event: e, extraVariables: sim.state == nil ? s.variables : [:])
            case .advance(let seconds):
                await sim.runTimers(until: seconds.map { sim.now.addingTimeInterval($0) })
            case .complete(let element, let vars):
                guard let task = sim.openTasks.first(where: { $0.elementId == element }) else {
                    let open = sim.openTasks.map(\.elementId)
                    failures.append("\(at): no open user task at '\(element)' to complete (open tasks: \(open.isEmpty ? "none" : open.joined(separator: ", ")); \(describe(sim)))")
                    return failures
                }
                await sim.completeTask(task.id, variables: vars)
            case .message(let name, let key, let vars):
                if !(await sim.publish(PublishedMessage(name: name, correlationKey: key, variables: vars))) {
                    failures.append("\(at): no subscription took message '\(name)'\(key.map { " with key '\($0)'" } ?? "") (\(describe(sim)))")
                    return failures
                }
            }
        }
        failures += check(s.expect, sim)
        if !failures.isEmpty, !sim.notes.isEmpty { failures += sim.notes.map { "note: " + $0 } }
        return failures
    }

    /// Expectations and steps that name elements the definition does not have.
    static func unknownElements(_ s: Scenario, _ def: ProcessDefinition) -> [String] {
        let ids = Set(def.elements.map(\.id))
        var out: [String] = []
        func check(_ names: [String], _ loc: SourceLocation, _ what: String) {
            for n in names where !ids.contains(n) {
                let hint = Suggest.closest(n, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                out.append("\(loc.file):\(loc.line): \(what) names '\(n)', which is not an element of '\(def.id)'\(hint)")
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

    static func check(_ e: ScenarioExpectations, _ sim: Simulation) -> [String] {
        var out: [String] = []
        func at(_ l: SourceLocation) -> String { "\(l.file):\(l.line)" }
        let path = sim.path
        if let x = e.status, x.value != sim.statusWord {
            var why = "\(at(x.location)): expected status \(x.value), got \(sim.statusWord)"
            if let s = sim.state {
                if !s.tokens.isEmpty { why += " (waiting at \(s.currentActivities.joined(separator: ", ")))" }
                if let i = s.incidents.first { why += " (incident at \(i.elementId): \(i.message))" }
            }
            out.append(why)
        }
        if let x = e.path, x.value != path {
            let i = zip(x.value, path).prefix { $0 == $1 }.count
            out.append("""
                \(at(x.location)): the path differs at step \(i + 1)
                    expected: \(x.value.joined(separator: " → "))
                    actual:   \(path.joined(separator: " → "))
                """)
        }
        if let x = e.pathIncludes {
            var rest = path[...]
            for want in x.value {
                guard let j = rest.firstIndex(of: want) else {
                    out.append("""
                        \(at(x.location)): the path does not pass '\(want)'\(path.contains(want) ? " in the expected order" : "")
                            expected to include, in order: \(x.value.joined(separator: " → "))
                            actual:   \(path.joined(separator: " → "))
                        """)
                    break
                }
                rest = rest[(j + 1)...]
            }
        }
        if let x = e.pathExcludes {
            for n in x.value where path.contains(n) {
                out.append("\(at(x.location)): the path passes '\(n)', which it must not\n    actual:   \(path.joined(separator: " → "))")
            }
        }
        if let x = e.variables {
            let vars = sim.state?.variables ?? [:]
            for (name, want) in x.value.sorted(by: { $0.key < $1.key }) {
                if want.isNull {
                    if let got = vars[name], !got.isNull { out.append("\(at(x.location)): variable '\(name)': expected it absent, got \(JSON.encode(got))") }
                } else if let why = mismatch(want, vars[name], name) {
                    out.append("\(at(x.location)): variable \(why)")
                }
            }
        }
        if let x = e.calls {
            let calls: [Value] = sim.effects.map { ["action": .string($0.action), "payload": $0.payload, "element": .string($0.elementId), "attempt": .number(Double($0.attempt))] }
            out += compareList(x, calls, what: "call", summary: { $0[member: "action"].interpolated })
        }
        if let x = e.incidents {
            let open: [Value] = (sim.state?.incidents ?? []).map { i in
                ["element": .string(i.elementId), "type": .string(i.type), "message": .string(i.message)]
            }
            out += compareList(x, open, what: "incident", summary: { "\($0[member: "element"].interpolated): \($0[member: "message"].interpolated)" }, contains: ["message"])
        }
        if let x = e.tasks {
            let tasks: [Value] = sim.createdTasks.map { t in
                var c = t.value.contextValue ?? [:]
                c["element"] = .string(t.elementId)
                return .context(c)
            }
            out += compareList(x, tasks, what: "task", summary: { $0[member: "element"].interpolated })
        }
        if let x = e.waiting {
            let got = (sim.state?.currentActivities ?? []).sorted()
            if x.value.sorted() != got {
                out.append("\(at(x.location)): expected the instance to wait at [\(x.value.joined(separator: ", "))], it waits at [\(got.joined(separator: ", "))] (\(describe(sim)))")
            }
        }
        if let x = e.error, sim.state?.error?.code != x.value {
            out.append("\(at(x.location)): expected the instance to end with error '\(x.value)', got \(sim.state?.error.map { "'\($0.code)'" } ?? "no error") (\(describe(sim)))")
        }
        return out
    }

    /// Compares expected items with actual ones, position by position; each expected item names
    /// only the fields it cares about.
    static func compareList(_ x: ScenarioExpectations.Located<[Value]>, _ actual: [Value], what: String, summary: (Value) -> String,
                            contains: Set<String> = []) -> [String]
    {
        let at = "\(x.location.file):\(x.location.line)"
        let list = actual.map(summary).joined(separator: ", ")
        if x.value.count != actual.count {
            return ["\(at): expected \(x.value.count) \(what)\(x.value.count == 1 ? "" : "s"), got \(actual.count): [\(list)]"]
        }
        var out: [String] = []
        for (i, (want, got)) in zip(x.value, actual).enumerated() {
            var want = want
            if var c = want.contextValue {
                for key in contains {
                    if let text = c[key]?.stringValue {
                        let have = got[member: key].stringValue ?? ""
                        if !have.contains(text) { out.append("\(at): \(what) #\(i + 1): \(key) '\(have)' does not contain '\(text)'") }
                        c[key] = nil
                    }
                }
                want = .context(c)
            }
            if let why = mismatch(want, got, "\(what) #\(i + 1)") { out.append("\(at): \(why) (all: [\(list)])") }
        }
        return out
    }

    /// Why `actual` does not match `expected`, or nil when it does: contexts match when every
    /// expected entry matches (others may exist); lists match item by item.
    public static func mismatch(_ expected: Value, _ actual: Value?, _ path: String) -> String? {
        guard let actual else { return "'\(path)': expected \(JSON.encode(expected)), but it is absent" }
        switch (expected, actual) {
        case (.context(let e), .context(let a)):
            for (k, v) in e.sorted(by: { $0.key < $1.key }) {
                if v.isNull, a[k] == nil || a[k]!.isNull { continue }
                if let why = mismatch(v, a[k], "\(path).\(k)") { return why }
            }
            return nil
        case (.list(let e), .list(let a)) where e.count == a.count:
            for (i, (x, y)) in zip(e, a).enumerated() {
                if let why = mismatch(x, y, "\(path)[\(i)]") { return why }
            }
            return nil
        default:
            return expected == actual ? nil : "'\(path)': expected \(JSON.encode(expected)), got \(JSON.encode(actual))"
        }
    }

    /// The outcomes as JUnit XML, one test suite per file.
    public static func junit(_ outcomes: [ScenarioOutcome]) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let files = outcomes.map(\.file).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let failed = outcomes.filter { !$0.passed }.count
        let total = outcomes.reduce(0) { $0 + $1.seconds }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"bpm test\" tests=\"\(outcomes.count)\" failures=\"\(failed)\" time=\"\(String(format: "%.3f", total))\">\n"
        for f in files {
            let cases = outcomes.filter { $0.file == f }
            let suiteName = ((f as NSString).lastPathComponent)
            x += "  <testsuite name=\"\(esc(suiteName))\" file=\"\(esc(f))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\" time=\"\(String(format: "%.3f", cases.reduce(0) { $0 + $1.seconds }))\">\n"
            for c in cases {
                x += "    <testcase classname=\"\(esc(suiteName))\" name=\"\(esc(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
                if c.passed { x += "/>\n" } else {
                    x += ">\n      <failure message=\"\(esc(c.failures[0].split(separator: "\n").first.map(String.init) ?? ""))\">\(esc(c.failures.joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            x += "  </testsuite>\n"
        }
        return x + "</testsuites>\n"
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
