import BPMEngine
import BPMExpressions
import BPMModel
import BPMTooling
import Foundation
import Testing

/// The round trip of `bpm export --bpmn` (issue #23 item 6): every YAML example is exported to
/// BPMN, and each of its `*.test.yaml` scenarios runs against the YAML and against the exported
/// BPMN (as `bpm test` runs them). Both runs must give the same instances: the same history
/// (element, type, event and time of every step), final status and variables, the same connector
/// calls with the same payloads, and the same user tasks — not only "passed".
@Suite struct BPMNExportRoundTripTests {
    static let examples = repoRoot.appendingPathComponent("examples")
    /// Every example, and a fixture with the constructs the examples do not use.
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? [])
        .filter { $0.hasSuffix(".test.yaml") }.map { "examples/" + $0.dropLast(".test.yaml".count) }.sorted()
        + ["Tests/Fixtures/export/features"]

    @Test func everyExampleHasScenarios() {
        #expect(Self.names.count == 11, "\(Self.names)")
    }

    @Test(arguments: names)
    func theExportedBPMNRunsTheScenariosAsTheYAMLDoes(_ name: String) async throws {
        let yamlTest = repoRoot.appendingPathComponent("\(name).test.yaml").path
        let dir = try Self.exported(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bpmnTest = dir.appendingPathComponent("\(Self.stem(name)).test.yaml").path
        let (_, yamlRuns) = try await ProcessTestRunner.simulations(file: yamlTest)
        let (_, bpmnRuns) = try await ProcessTestRunner.simulations(file: bpmnTest)
        #expect(yamlRuns.count == bpmnRuns.count)
        #expect(!yamlRuns.isEmpty)
        for ((scenario, y), (_, b)) in zip(yamlRuns, bpmnRuns) {
            #expect(b.definition.sourceFile.hasSuffix(".bpmn"), "the second run is of the exported file")
            let (ys, bs) = (Run(y), Run(b))
            #expect(ys.instances == bs.instances, "\(name) / \(scenario.name): instances differ")
            #expect(ys.calls == bs.calls, "\(name) / \(scenario.name): connector calls differ")
            #expect(ys.tasks == bs.tasks, "\(name) / \(scenario.name): user tasks differ")
            #expect(ys.instances.allSatisfy { !$0.history.isEmpty })
        }
        #expect(yamlRuns.contains { !$0.1.instances.isEmpty }, "some scenario starts an instance")
        // and `bpm test` passes every scenario of the exported file
        let outcomes = await ProcessTestRunner.run(file: bpmnTest)
        #expect(!outcomes.isEmpty)
        for o in outcomes { #expect(o.passed, "\(name) / \(o.name): \(o.failures)") }
    }

    /// Each example's export is valid BPMN 2.0: `xmllint --schema` against the OMG XSDs
    /// (installed by `scripts/install-deps.sh --test`).
    @Test(arguments: names)
    func theExportIsValidAgainstTheBPMNSchema(_ name: String) async throws {
        let xsd = try #require(Self.bpmnXSD(), "the BPMN 2.0 XSDs are missing: run scripts/install-deps.sh --test")
        let dir = try Self.exported(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", "--schema", xsd, dir.appendingPathComponent("\(Self.stem(name)).bpmn").path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("validates"), "\(text)")
    }

    static func stem(_ name: String) -> String { (name as NSString).lastPathComponent }

    /// A folder with the definition exported to `STEM.bpmn` and its test file beside it.
    static func exported(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let yaml = repoRoot.appendingPathComponent("\(name).yaml").path
        let xml = try BPMNWriter.export(yaml: try String(contentsOfFile: yaml, encoding: .utf8), file: yaml)
        try xml.write(to: dir.appendingPathComponent("\(stem(name)).bpmn"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("\(name).test.yaml"),
                                         to: dir.appendingPathComponent("\(stem(name)).test.yaml"))
        return dir
    }

    /// BPMN20.xsd (with Semantic, BPMNDI, DI and DC beside it), as SpiffWorkflow ships the OMG files.
    static func bpmnXSD() -> String? {
        let lib = repoRoot.appendingPathComponent(".build/bpmn-xsd/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return pythons.sorted().map {
            lib.appendingPathComponent("\($0)/site-packages/SpiffWorkflow/bpmn/parser/schema/BPMN20.xsd").path
        }.first { FileManager.default.fileExists(atPath: $0) }
            .flatMap { FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") ? $0 : nil }
    }

    /// What a run did, without the ids that differ from run to run.
    struct Run {
        struct Instance: Equatable {
            var process: String
            var status: String
            var history: [String]
            var variables: [String: Value]
        }
        var instances: [Instance]
        var calls: [String]
        var tasks: [String]

        init(_ sim: Simulation) {
            let t0 = sim.instances.map(\.id)
            func n(_ id: String) -> String { t0.firstIndex(of: id).map { "instance \($0)" } ?? id }
            instances = sim.instances.map { i in
                Instance(process: i.definitionId, status: i.status.rawValue,
                         history: (sim.histories[i.id] ?? []).map {
                             "\($0.elementId) \($0.elementType) \($0.event) \($0.at.timeIntervalSince1970)"
                         },
                         variables: i.variables)
            }
            calls = sim.effects.map {
                "\(n($0.instanceId)) \($0.elementId) \($0.action) #\($0.attempt) \(JSON.encode($0.payload))"
            }
            tasks = sim.createdTasks.map { t in
                [n(t.instanceId), t.elementId, t.name ?? "-", t.assignee ?? "-",
                 t.candidateUsers.joined(separator: ","), t.candidateGroups.joined(separator: ","),
                 String(t.priority), t.form.map { JSON.encode($0) } ?? "-", t.description ?? "-",
                 String(describing: t.dueAt), String(describing: t.followUpAt)].joined(separator: " | ")
            }
        }
    }
}
