import BPMEngine
import BPMExpressions
import BPMModel
import BPMTooling
import Foundation
import Testing

/// One engine: the process-test scenarios of the cross-instance examples (a call activity and
/// its child, a signal between instances, a message from one instance to another) run once
/// under `bpm test`'s simulation and once against a live `bpm serve` driven through its HTTP
/// API (time moved by pinning the server's clock), and give the same instances with the same
/// paths, statuses and variables.
@Suite(.serialized) struct SimulationParityTests {
    static let folder = repoRoot.appendingPathComponent("bpmn-examples")

    @Test(arguments: ["device-commissioning", "storm-protection", "parts-delivery"])
    func aLiveServerRunsTheScenariosAsBpmTestDoes(_ example: String) async throws {
        let file = Self.folder.appendingPathComponent("\(example).test.yaml").path
        let (test, runs) = try await ProcessTestRunner.simulations(file: file)
        let main = try #require(test.processId)
        for (scenario, sim) in runs {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: Self.folder,
                                    extra: ["--clock-control", "--no-watch", "--dry-run"])
            defer { server.kill(SIGTERM) }
            let live = LiveScenario(base: server.base, main: main, now: test.start)
            try await live.pin(test.start)
            for step in scenario.steps { try await live.perform(step, scenario) }
            let expected = sim.instances.map { View(process: $0.definitionId, status: $0.status.rawValue, path: sim.path(of: $0.id), variables: $0.variables) }
                .sorted()
            var actual: [View] = []
            do {
                try await eventually("the live instances of '\(scenario.name)' match the simulation") {
                    actual = try await live.instances()
                    return actual == expected
                }
            } catch {
                Issue.record("\(scenario.name): live \(actual) ≠ simulated \(expected)")
            }
        }
    }
}

/// An instance as the comparison sees it.
struct View: Comparable, CustomStringConvertible {
    var process: String
    var status: String
    var path: [String]
    var variables: [String: Value]

    static func < (a: View, b: View) -> Bool { a.key < b.key }

    var key: String { [process, status, path.joined(separator: ","), JSON.encode(.context(variables))].joined(separator: "\u{1}") }

    var description: String { "\(process) \(status) [\(path.joined(separator: " → "))] \(JSON.encode(.context(variables)))" }
}

/// A scenario's steps as HTTP calls to a live server.
final class LiveScenario: @unchecked Sendable {
    let base: String
    let main: String
    var now: Date

    init(base: String, main: String, now: Date) {
        self.base = base
        self.main = main
        self.now = now
    }

    func pin(_ date: Date) async throws {
        now = date
        let r = try await http("PUT", "\(base)/clock", body: JSON.encode(["timestamp": .string(Coding.iso(date))]))
        guard r.status == 200 else { throw TestFailure("PUT /clock: \(r.status) \(r.text)") }
    }

    func start(_ process: String, _ variables: [String: Value]) async throws {
        let r = try await http("POST", "\(base)/processes/\(process)/start", body: JSON.encode(["variables": .context(variables)]))
        guard r.status == 201 else { throw TestFailure("start \(process): \(r.status) \(r.text)") }
    }

    func perform(_ step: ScenarioStep, _ s: Scenario) async throws {
        switch step.kind {
        case .start(let vars): try await start(main, s.variables.merging(vars) { _, x in x })
        case .startProcess(let process, let vars): try await start(process, vars)
        case .event(let e):
            let body: Value = ["definitionId": .string(main), "payload": e, "variables": .context(s.variables)]
            _ = try await http("POST", "\(base)/events", body: JSON.encode(body))
        case .advance(let seconds): try await pin(now.addingTimeInterval(seconds ?? 366 * 86_400))
        case .complete(let element, let vars):
            var task: String?
            try await eventually("an open task at \(element)") {
                let open = try await http("GET", "\(base)/tasks?status=open&limit=500").body[member: "items"].listValue ?? []
                task = open.first { $0[member: "elementId"].stringValue == element }?[member: "id"].stringValue
                return task != nil
            }
            let r = try await http("POST", "\(base)/tasks/\(task!)/complete", body: JSON.encode(["variables": .context(vars)]))
            guard r.status == 200 else { throw TestFailure("complete \(element): \(r.status) \(r.text)") }
        case .message(let name, let key, let vars):
            var m: [String: Value] = ["name": .string(name), "variables": .context(vars)]
            if let key { m["correlationKey"] = .string(key) }
            _ = try await http("POST", "\(base)/messages", body: JSON.encode(.context(m)))
        case .signal(let name, let vars):
            _ = try await http("POST", "\(base)/signals", body: JSON.encode(["name": .string(name), "variables": .context(vars)]))
        }
    }

    /// Every instance on the server, with its path and variables.
    func instances() async throws -> [View] {
        let items = try await http("GET", "\(base)/processes?limit=500").body[member: "items"].listValue ?? []
        var out: [View] = []
        for item in items {
            guard let id = item[member: "id"].stringValue else { continue }
            let state = try await http("GET", "\(base)/processes/\(id)").body
            let history = try await http("GET", "\(base)/processes/\(id)/history").body.listValue ?? []
            let path = history.filter {
                $0[member: "event"] == "completed" && !["process", "multiInstanceBody", "loopBody"].contains($0[member: "elementType"].stringValue ?? "")
            }.compactMap { $0[member: "elementId"].stringValue }
            out.append(View(process: state[member: "definitionId"].stringValue ?? "", status: state[member: "status"].stringValue ?? "",
                            path: path, variables: state[member: "variables"].contextValue ?? [:]))
        }
        return out.sorted()
    }
}
