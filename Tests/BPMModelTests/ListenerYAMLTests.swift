import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Listeners in the YAML DSL (docs/dsl.md, "Listeners"): read into the same model as
/// zeebe:executionListeners and zeebe:taskListeners, refused with `file:line:col` where Camunda
/// refuses them, and kept by `bpm export --bpmn`.
@Suite struct ListenerYAMLTests {
    static let yaml = """
    id: payment
    listeners:
      start: [open-case]
      end: [close-case]
    activities:
      - id: charge
        type: service
        action: charge-card
        listeners:
          start: [fraud-check, {type: enrich, retries: 5}]
          end: [audit]
      - id: approve
        type: user
        assignee: ann
        task_listeners:
          completing: [validate]
          assigning: [{type: route, retries: 1}]
    """

    @Test func listenersAreReadIntoTheModel() throws {
        let def = try YAMLDefinitionReader.read(source: Self.yaml, file: "p.yaml")
        #expect(def.executionListeners.start.map(\.type.source) == ["open-case"])
        #expect(def.executionListeners.end.map(\.type.source) == ["close-case"])
        let charge = try #require(def.element("charge"))
        #expect(charge.executionListeners.start.map(\.type.source) == ["fraud-check", "enrich"])
        #expect(charge.executionListeners.start[1].retries.evaluate([:]) == .number(5))
        #expect(charge.executionListeners.end.map(\.type.source) == ["audit"])
        guard case .userTask(let task)? = def.element("approve")?.kind else { Issue.record("not a user task"); return }
        #expect(task.taskListeners[.completing]?.map(\.type.source) == ["validate"])
        #expect(task.taskListeners[.assigning]?.first?.retries.evaluate([:]) == .number(1))
    }

    /// `bpm export --bpmn` writes them as Camunda does, and reading the export gives them back.
    @Test func theBPMNExportKeepsThem() throws {
        let xml = try BPMNWriter.export(yaml: Self.yaml, file: "p.yaml")
        #expect(xml.contains(#"<zeebe:executionListener eventType="start" type="fraud-check" retries="3" />"#))
        #expect(xml.contains(#"<zeebe:taskListener eventType="assigning" type="route" retries="1" />"#))
        let def = try #require(try BPMNDefinitionReader.read(source: xml, file: "p.bpmn").first)
        #expect(def.executionListeners.end.map(\.type.source) == ["close-case"])
        #expect(def.element("charge")?.executionListeners.start.map(\.type.source) == ["fraud-check", "enrich"])
        guard case .userTask(let task)? = def.element("approve")?.kind else { Issue.record("not a user task"); return }
        #expect(task.taskListeners[.completing]?.map(\.type.source) == ["validate"])
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var rule: String
        var activity: String
        var at: String
        var says: String
        var testDescription: String { rule }
    }

    static let refusals: [Refusal] = [
        Refusal(rule: "decisions (gateways) have no end listeners",
                activity: "type: decision\n    condition: x > 1\n    true_path: b\n    listeners: {end: [a]}",
                at: "end:", says: "gateways have no end execution listeners"),
        Refusal(rule: "listeners are start and end",
                activity: "type: script\n    set: {x: 1}\n    listeners: {take: [a]}", at: "take:", says: "take"),
        Refusal(rule: "a listener entry needs a type",
                activity: "type: script\n    set: {x: 1}\n    listeners: {start: [{retries: 2}]}",
                at: "{retries", says: "needs a 'type'"),
        Refusal(rule: "a type runs once per event",
                activity: "type: script\n    set: {x: 1}\n    listeners: {start: [a, a]}",
                at: "a, a", says: "the job type 'a' twice"),
        Refusal(rule: "canceling task listeners are not run",
                activity: "type: user\n    task_listeners: {canceling: [a]}", at: "canceling:",
                says: "canceling task listeners on user activity 'a' are not supported"),
        Refusal(rule: "task listeners are for user activities",
                activity: "type: script\n    set: {x: 1}\n    task_listeners: {completing: [a]}",
                at: "task_listeners", says: "task_listeners"),
    ]

    @Test(arguments: refusals) func isRefusedWhereItIsWritten(_ r: Refusal) throws {
        let src = "id: p\nactivities:\n  - id: a\n    \(r.activity)\n  - id: b\n    type: script\n    set: {y: 1}\n"
        let line = try #require(src.components(separatedBy: "\n").firstIndex { $0.contains(r.at) }) + 1
        do {
            _ = try YAMLDefinitionReader.read(source: src, file: "p.yaml")
            Issue.record("read although \(r.rule)")
        } catch {
            let found = error.errors.map(\.description)
            #expect(found.contains { $0.hasPrefix("p.yaml:\(line):") && $0.contains(r.says) },
                    "expected a refusal on line \(line) saying \(r.says); got \(found)")
        }
    }
}
