import BPMExpressions
import BPMModel
import Foundation
import Testing

/// The repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func read(_ yaml: String, file: String = "test.yaml") throws(DefinitionErrors) -> ProcessDefinition {
    try YAMLDefinitionReader.read(source: yaml, file: file)
}

/// Every edge as "source -label-> target", for comparing flows.
func edges(_ d: ProcessDefinition) -> Set<String> {
    Set(d.flows.map { f in
        let label = f.id == d.element(f.source)?.defaultFlow ? (f.label ?? "default") : (f.label ?? "")
        return "\(f.source) -\(label)-> \(f.target)"
    })
}

func errors(_ yaml: String) -> [String] {
    do {
        _ = try read(yaml)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

@Suite struct PlanExampleTests {
    /// The YAML block under "Example Process Definition (YAML)" in the plan.
    static func planExample() throws -> String {
        let plan = try String(contentsOf: repoRoot.appendingPathComponent("../shared/seed/bpm-architecture-plan.md"), encoding: .utf8)
        let section = plan.components(separatedBy: "## Example Process Definition (YAML)")[1]
        return section.components(separatedBy: "```yaml\n")[1].components(separatedBy: "```")[0]
    }

    @Test func exampleFileIsThePlansExampleVerbatim() throws {
        let file = try String(contentsOf: repoRoot.appendingPathComponent("examples/temperature-control.yaml"), encoding: .utf8)
        #expect(file == (try Self.planExample()))
    }

    @Test func planExampleResolvesToTheIntendedFlow() throws {
        let d = try read(try Self.planExample(), file: "plan.yaml")
        #expect(d.id == "temperature-control")
        #expect(d.versionLabel == "1.0")
        #expect(edges(d) == [
            "start --> check_temp",
            "check_temp -true-> activate_cooling",
            "check_temp -false-> log_normal",
            "activate_cooling --> wait_recheck",
            "wait_recheck --> recheck_temp",
            "recheck_temp -true-> log_success",
            "recheck_temp -false-> escalate",
            "log_normal --> end",
            "log_success --> end",
            "escalate --> end",
        ])
        guard case .timerCatchEvent(let t) = d.element("wait_recheck")?.kind else { Issue.record("wait_recheck is not a timer"); return }
        #expect(t.seconds == 300)
        #expect(d.correlationKey?.source == "device_id")
        #expect(d.trigger?.topic == "heatpump-telemetry")
        #expect(d.trigger?.condition?.test(["fields": ["flow_temp_c": 27.5]]) == true)
        #expect(d.variables.map(\.name) == ["device_id", "temperature", "threshold"])
    }
}

@Suite struct FallThroughTests {
    @Test func activitiesContinueWithTheNextListedOne() throws {
        let d = try read("""
        id: p
        activities:
          - {id: a, type: script, set: {x: 1}}
          - {id: b, type: script, set: {y: 2}}
        """)
        #expect(edges(d) == ["start --> a", "a --> b", "b --> end"])
    }

    @Test func aForwardBranchTargetEndsThePathBeforeIt() throws {
        let d = try read("""
        id: p
        activities:
          - {id: d, type: decision, condition: x > 1, true_path: big, false_path: small}
          - {id: small, type: script, set: {s: 1}}
          - {id: big, type: script, set: {b: 1}}
          - {id: after, type: script, set: {c: 1}}
        """)
        #expect(edges(d) == ["start --> d", "d -true-> big", "d -false-> small", "small --> end", "big --> after", "after --> end"])
    }

    @Test func aLoopBackDoesNotBlockFallThrough() throws {
        let d = try read("""
        id: p
        activities:
          - {id: work, type: user}
          - {id: check, type: decision, condition: done, true_path: finish, false_path: work}
          - {id: finish, type: end}
        """)
        #expect(edges(d) == ["start --> work", "work --> check", "check -true-> finish", "check -false-> work"])
    }

    @Test func explicitNextForksAndJoins() throws {
        let d = try read("""
        id: p
        activities:
          - {id: a, type: script, set: {x: 1}, next: [b, c]}
          - {id: b, type: script, set: {y: 1}, next: j}
          - {id: c, type: script, set: {z: 1}, next: j}
          - {id: j, type: join}
          - {id: e, type: end, result: {done: true}}
        """)
        #expect(edges(d) == ["start --> a", "a --> b", "a --> c", "b --> j", "c --> j", "j --> e"])
    }

    @Test func timeoutsBecomeBoundaryTimers() throws {
        let d = try read("""
        id: p
        activities:
          - {id: approve, type: user, timeout: {after: 2h, next: escalate}}
          - {id: done, type: end}
          - {id: escalate, type: service, action: notify}
        """)
        #expect(edges(d) == ["start --> approve", "approve --> done", "approve_timeout -timeout-> escalate", "escalate --> end"])
        guard case .boundaryEvent(let b) = d.element("approve_timeout")?.kind else { Issue.record("no boundary event"); return }
        #expect(b.attachedTo == "approve")
        #expect(b.timer?.seconds == 7200)
    }

    @Test func casesAndDefault() throws {
        let d = try read("""
        id: p
        activities:
          - id: route
            type: decision
            cases:
              - {when: severity = "critical", next: page}
              - {when: severity = "warning", next: log}
            default: ignore
          - {id: page, type: service, action: notify, next: ignore}
          - {id: log, type: service, action: database_log}
          - {id: ignore, type: end}
        """)
        #expect(edges(d).contains("route -default-> ignore"))
        #expect(edges(d).contains("log --> end"))
    }
}

@Suite struct DefinitionErrorTests {
    @Test func everyProblemIsReportedWithItsLocation() {
        let e = errors("""
        id: broken
        trigger:
          type: event
          topic: t
          condition: fields.x >
        activities:
          - id: a
            type: script
            set: {x: 1 +}
          - id: a
            type: script
            set: {y: 2}
          - id: t
            type: timer
            duration: 5 minutes
          - id: d
            type: decision
            condition: x > 1
            true_path: nowhere
          - id: w
            type: wizard
        """)
        #expect(e.contains("test.yaml:5:24: error: invalid expression in trigger condition: unexpected end of expression"))
        #expect(e.contains("test.yaml:9:17: error: invalid expression in set.x: unexpected end of expression"))
        #expect(e.contains("test.yaml:10:9: error: duplicate activity id 'a' (first defined at line 7)"))
        #expect(e.contains { $0.hasPrefix("test.yaml:15:15: error: duration: invalid duration '5 minutes'") })
        #expect(e.contains("test.yaml:19:16: error: true_path refers to unknown activity 'nowhere'"))
        #expect(e.contains { $0.hasPrefix("test.yaml:21:11: error: unknown activity type 'wizard'") })
        #expect(e.count == 6, "no cascading errors: \(e)")
    }

    @Test func unreachableAndMissingPieces() {
        #expect(errors("""
        id: p
        activities:
          - {id: a, type: script, set: {x: 1}, next: c}
          - {id: b, type: script, set: {x: 2}}
          - {id: c, type: end}
        """) == ["test.yaml:4:5: error: 'b' is unreachable: no path from the start leads to it"])
        #expect(errors("id: p\n") == ["test.yaml:1:1: error: missing required field 'activities': a process needs at least one activity"])
        #expect(errors("activities: []\n").first?.hasPrefix("test.yaml:1:1: error: missing required field 'id'") == true)
        #expect(errors("""
        id: p
        activities:
          - {id: j, type: join}
        """) == ["test.yaml:3:5: error: join 'j' has 1 incoming path(s); a join waits for two or more parallel paths"])
    }

    @Test func typosGetSuggestions() {
        let e = errors("""
        id: p
        activties: []
        activities:
          - {id: a, type: scrpt}
          - {id: b, type: user, asignee: bob}
          - {id: c, type: decision, condition: x, true_path: a, false_path: bb}
        """)
        #expect(e.contains("test.yaml:2:1: error: unknown field 'activties' in the process definition (did you mean 'activities'?)"))
        #expect(e.contains { $0.hasPrefix("test.yaml:4:19: error: unknown activity type 'scrpt'") && $0.hasSuffix("did you mean 'script'?") })
        #expect(e.contains("test.yaml:5:25: error: unknown field 'asignee' in user activity 'b' (did you mean 'assignee'?)"))
        #expect(e.contains("test.yaml:6:69: error: false_path refers to unknown activity 'bb' (did you mean 'b'?)"))
    }

    @Test func yamlSyntaxErrorsHaveALocation() {
        let e = errors("id: p\nactivities:\n  - {id: a, type: script\n")
        #expect(e.count == 1)
        #expect(e[0].hasPrefix("test.yaml:4:1: error: YAML syntax:"))
    }

    @Test func blockScalarExpressionErrorsPointIntoTheBlock() {
        let e = errors("""
        id: p
        trigger:
          type: event
          topic: t
          condition: |
            fields.a > 1 and
            fields.b <
        activities:
          - {id: a, type: script, set: {x: 1}}
        """)
        #expect(e == ["test.yaml:7:15: error: invalid expression in trigger condition: unexpected end of expression"])
    }

    @Test func allExamplesAreValid() throws {
        let dir = repoRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 14)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            if f.hasSuffix(".test.yaml") {
                #expect(throws: Never.self) { _ = try ScenarioReader.read(source: text, file: f) }
            } else {
                #expect(throws: Never.self) { _ = try read(text, file: f) }
            }
        }
    }
}

@Suite struct DurationTests {
    @Test func shortAndISOForms() throws {
        #expect(try DurationParser.seconds("5m") == 300)
        #expect(try DurationParser.seconds("30s") == 30)
        #expect(try DurationParser.seconds("1h30m") == 5400)
        #expect(try DurationParser.seconds("500ms") == 0.5)
        #expect(try DurationParser.seconds("2d") == 172_800)
        #expect(try DurationParser.seconds("PT5M") == 300)
        #expect(try DurationParser.seconds("P1DT2H") == 93600)
        #expect(try DurationParser.seconds("PT0.5S") == 0.5)
        #expect(throws: DurationParser.Failure.self) { try DurationParser.seconds("5 parsecs") }
        #expect(throws: DurationParser.Failure.self) { try DurationParser.seconds("P") }
        #expect(throws: DurationParser.Failure.self) { try DurationParser.seconds("") }
    }
}

@Suite struct DefinitionDiffTests {
    func read(_ s: String) throws -> ProcessDefinition { try YAMLDefinitionReader.read(source: s, file: "d.yaml") }

    @Test func fieldOrderAndLayoutDoNotCountConditionsAndParametersDo() throws {
        let a = try read("""
            id: d
            activities:
              - id: check
                type: decision
                condition: t > 25
                true_path: act
                false_path: done
              - id: act
                type: service
                action: mqtt_publish
                topic: a/b
                payload: {x: 1, y: "${t}"}
              - id: done
                type: end
            """)
        let same = try read("""
            id: d
            activities:
              - type: decision
                id: check
                false_path: done
                true_path: act
                condition: t > 25

              - {id: act, type: service, action: mqtt_publish, payload: {y: "${t}", x: 1}, topic: a/b}
              - id: done
                type: end
            """)
        #expect(DefinitionDiff(from: a, to: same).isEmpty, "\(DefinitionDiff(from: a, to: same).lines)")
        let changed = try read("""
            id: d
            activities:
              - id: check
                type: decision
                condition: t >= 25
                true_path: act
                false_path: done
              - id: act
                type: service
                action: mqtt_publish
                topic: a/c
                payload: {x: 1, y: "${t}"}
              - id: done
                type: end
            """)
        #expect(DefinitionDiff(from: a, to: changed).lines == [
            "~ element act: parameters: {payload: {x: 1, y: ${t}}, topic: a/b} → {payload: {x: 1, y: ${t}}, topic: a/c}",
            "~ flow check → act: condition: t > 25 → t >= 25",
        ])
    }
}
