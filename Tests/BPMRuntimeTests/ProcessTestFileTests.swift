import BPMExpressions
import BPMModel
import BPMRuntime
import BPMTooling
import Foundation
import Testing

/// Writes a definition and a test file into a fresh folder; returns the test file's path.
func scenarioFixture(definition: String, test: String, name: String = "p") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try definition.write(to: dir.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
    try test.write(to: dir.appendingPathComponent("\(name).test.yaml"), atomically: true, encoding: .utf8)
    return dir.appendingPathComponent("\(name).test.yaml").path
}

let twoStepProcess = """
    id: p
    activities:
      - id: check
        type: decision
        condition: value > 10
        true_path: high
        false_path: low
      - id: high
        type: service
        action: notify
        message: "high ${value}"
        next: done
      - id: low
        type: service
        action: database_log
        message: low
      - id: done
        type: end
    """

@Suite struct ProcessTestFileTests {
    @Test func everyExampleHasScenariosAndTheyAllPass() async throws {
        let (files, problems) = ProcessTestRunner.testFiles([repoRoot.appendingPathComponent("examples").path])
        #expect(problems.isEmpty)
        let examples = DefinitionLoader.files(in: repoRoot.appendingPathComponent("examples").path)
        #expect(files.count == examples.count, "one test file per example")
        var outcomes: [ScenarioOutcome] = []
        for f in files { outcomes += await ProcessTestRunner.run(file: f) }
        for o in outcomes where !o.passed { Issue.record("\(o.file) — \(o.name):\n\(o.failures.joined(separator: "\n"))") }
        #expect(outcomes.count >= 30)
        print("example scenarios: \(outcomes.filter(\.passed).count) passed, \(outcomes.filter { !$0.passed }.count) failed")
    }

    @Test func aWrongPathIsExplainedAsExpectedVersusActual() async throws {
        let file = try scenarioFixture(definition: twoStepProcess, test: """
            scenarios:
              - name: goes high
                variables: {value: 3}
                expect:
                  path: [start, check, high, done]
            """)
        let r = try #require(await ProcessTestRunner.run(file: file).first)
        #expect(!r.passed)
        let text = r.failures.joined(separator: "\n")
        #expect(text.contains("p.test.yaml:5: the path differs at step 3"))
        #expect(text.contains("expected: start → check → high → done"))
        #expect(text.contains("actual:   start → check → low → done"))
    }

    @Test func stubsAnswerCallsInOrderAndExpectationsCheckEveryKind() async throws {
        let file = try scenarioFixture(definition: twoStepProcess, test: """
            scenarios:
              - name: retried then passes
                variables: {value: 30}
                stubs:
                  notify: [{fail: down}, {output: {sent: true}}]
                expect:
                  status: completed
                  path_includes: [check, high]
                  path_excludes: [low]
                  variables: {sent: true, value: 30, missing: null}
                  calls:
                    - {action: notify, attempt: 1, payload: {message: high 30}}
                    - {action: notify, attempt: 2}
                  incidents: []
              - name: a wrong variable, call and status
                variables: {value: 30}
                stubs:
                  notify: {error: NOPE}
                expect:
                  status: completed
                  variables: {value: 31}
                  calls: [{action: database_log}]
            """)
        let results = await ProcessTestRunner.run(file: file)
        #expect(results.count == 2)
        #expect(results[0].passed, "\(results[0].failures)")
        let text = results[1].failures.joined(separator: "\n")
        #expect(text.contains("expected status completed, got failed"))
        #expect(text.contains("variable 'value': expected 31, got 30"))
        #expect(text.contains("'call #1.action': expected \"database_log\", got \"notify\""))
    }

    @Test func userTasksMessagesAndTimeAreSteps() async throws {
        let def = """
            id: p
            activities:
              - id: approve
                type: user
                candidate_groups: [leads]
                timeout: {after: 1h, next: late}
                next: wait_ack
              - id: wait_ack
                type: receive
                message: ack
                correlation_key: '"k1"'
                next: done
              - id: late
                type: end
                result: {late: true}
              - id: done
                type: end
            """
        let file = try scenarioFixture(definition: def, test: """
            scenarios:
              - name: in time
                steps:
                  - advance: 59m
                  - complete: approve
                    variables: {ok: true}
                  - message: ack
                    correlation_key: k1
                    variables: {acked: yes}
                expect:
                  status: completed
                  variables: {ok: true, acked: yes}
                  tasks: [{element: approve, candidateGroups: [leads]}]
              - name: too late
                steps:
                  - advance: 1h
                expect:
                  variables: {late: true}
                  path_excludes: [wait_ack]
              - name: completing a task that is not open fails the step
                steps:
                  - complete: wait_ack
                expect:
                  status: completed
            """)
        let r = await ProcessTestRunner.run(file: file)
        #expect(r[0].passed, "\(r[0].failures)")
        #expect(r[1].passed, "\(r[1].failures)")
        #expect(r[2].failures.first?.contains("no open user task at 'wait_ack' to complete (open tasks: approve") == true)
    }

    @Test func mistakesInTheTestFileAreReportedWithTheirPlace() async throws {
        let file = try scenarioFixture(definition: twoStepProcess, test: """
            scenarios:
              - name: typo
                variables: {value: 3}
                expct: {}
              - name: unknown element
                variables: {value: 3}
                expect:
                  path: [start, chek]
            """)
        let r = await ProcessTestRunner.run(file: file)
        #expect(r.count == 1 && r[0].name == "(file)")
        #expect(r[0].failures.contains { $0.hasSuffix("p.test.yaml:4:5: error: unknown field 'expct' in a scenario (did you mean 'expect'?)") })

        let file2 = try scenarioFixture(definition: twoStepProcess, test: """
            scenarios:
              - name: unknown element
                variables: {value: 3}
                expect:
                  path: [start, chek]
            """)
        let r2 = try #require(await ProcessTestRunner.run(file: file2).first)
        #expect(r2.failures.first?.contains("expect.path names 'chek', which is not an element of 'p' (did you mean 'check'?)") == true)
    }

    @Test func junitXMLHasOneSuitePerFileAndTheFailures() async throws {
        let file = try scenarioFixture(definition: twoStepProcess, test: """
            scenarios:
              - name: low <ok>
                variables: {value: 3}
                expect: {status: completed}
              - name: wrong
                variables: {value: 3}
                expect: {status: failed}
            """)
        let xml = ProcessTestRunner.junit(await ProcessTestRunner.run(file: file))
        let root = try XMLReader.parse(xml)
        let suites = root.children("testsuite")
        #expect(root.attributes["tests"] == "2" && suites.count == 1)
        #expect(suites.first?.attributes["failures"] == "1")
        let cases = suites.first?.children("testcase") ?? []
        #expect(cases.compactMap { $0.attributes["name"] } == ["low <ok>", "wrong"])
        #expect(cases.last?.child("failure")?.text.contains("expected status failed, got completed") == true)
    }

    @Test func everyTemplateValidatesAndPassesItsTest() async throws {
        for t in ProcessTemplates.all {
            let (definition, test) = ProcessTemplates.render(t, id: "my-\(t.name)")
            #expect(definition.contains("id: my-\(t.name)"))
            let file = try scenarioFixture(definition: definition, test: test, name: "my-\(t.name)")
            let results = await ProcessTestRunner.run(file: file)
            #expect(results.count >= 3, "\(t.name)")
            for r in results where !r.passed { Issue.record("template \(t.name) — \(r.name): \(r.failures)") }
        }
    }
}
