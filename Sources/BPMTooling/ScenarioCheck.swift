import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

/// Checking a scenario's expectations against a simulated run, and JUnit XML of outcomes.
extension ProcessTestRunner {
    static func check(_ e: ScenarioExpectations, _ sim: Simulation) -> [String] {
        var out: [String] = []
        func at(_ l: SourceLocation) -> String { "\(l.file):\(l.line)" }
        if let x = e.status, x.value != sim.statusWord {
            var why = "\(at(x.location)): expected status \(x.value), got \(sim.statusWord)"
            if let s = sim.state {
                if !s.tokens.isEmpty { why += " (waiting at \(s.currentActivities.joined(separator: ", ")))" }
                if let i = s.incidents.first { why += " (incident at \(i.elementId): \(i.message))" }
            }
            out.append(why)
        }
        out += checkPath(e, sim.path)
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
        if let x = e.instances {
            out += compareList(x, sim.others.map { instanceView($0, sim) }, what: "instance", summary: { $0[member: "process"].interpolated })
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

    /// The path expectations: exactly, in order with others between, or not at all.
    static func checkPath(_ e: ScenarioExpectations, _ path: [String]) -> [String] {
        var out: [String] = []
        func at(_ l: SourceLocation) -> String { "\(l.file):\(l.line)" }
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
        return out
    }

    /// What `expect.instances` compares for one instance of the run.
    static func instanceView(_ s: InstanceState, _ sim: Simulation) -> Value {
        var c: [String: Value] = [
            "process": .string(s.definitionId), "status": .string(Simulation.statusWord(s)),
            "variables": .context(s.variables), "waiting": .list(s.currentActivities.sorted().map(Value.string)),
            "path": .list(sim.path(of: s.id).map(Value.string)),
        ]
        if let e = s.error { c["error"] = .string(e.code) }
        if let p = s.parent, let parent = sim.instances.first(where: { $0.id == p.instanceId }) {
            c["parent"] = .string(parent.definitionId)
        }
        return .context(c)
    }
}
