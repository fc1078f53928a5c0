import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// Decisions used in processes: a YAML `type: rules` activity and a BPMN business rule task.
@Suite struct DecisionTaskTests {
    static let process = """
    id: alarm-routing
    activities:
      - id: classify
        type: rules
        decision: device-routing
        result_variable: routing
      - id: route
        type: decision
        cases:
          - {when: routing.path = "maintenance", next: maintenance}
        default: fine
      - id: maintenance
        type: user
        candidate_groups: [technicians]
      - id: fine
        type: end
    """

    @Test func yamlRulesActivityRoutesTheProcess() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: RuleSetTestsSource.routing, file: "routing.yaml")
        try await h.runtime.deploy(source: Self.process, file: "alarm.yaml")
        let a = try await h.runtime.startInstance("alarm-routing", variables: ["device_status": "error", "temperature": 20])
        try await h.runtime.settle()
        let s = try await h.store.instance(a.id)
        #expect(s?.variables["routing"] == ["path": "maintenance", "priority": 1])
        #expect(s?.currentActivities == ["maintenance"])
        let b = try await h.runtime.startInstance("alarm-routing", variables: ["device_status": "ok", "temperature": 20])
        try await h.runtime.settle()
        #expect(try await h.store.instance(b.id)?.status == .completed)
    }

    @Test func aMissingDecisionIsAnIncident() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process, file: "alarm.yaml")
        let a = try await h.runtime.startInstance("alarm-routing", variables: [:])
        try await h.runtime.settle()
        let incident = try #require(try await h.store.incidents(instanceId: a.id, openOnly: true).first)
        #expect(incident.incident.message == "decision 'device-routing': no deployed decision 'device-routing'")
    }

    @Test func bpmnBusinessRuleTaskCallsADMNDecision() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        let dmn = repoRoot.appendingPathComponent("../shared/conformance/dmn-tck/compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn").path
        try await h.runtime.deploy(source: try String(contentsOfFile: dmn, encoding: .utf8), file: dmn)
        try await h.runtime.deploy(source: """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="loan" isExecutable="true">
            <startEvent id="s"/>
            <businessRuleTask id="approve"><extensionElements><zeebe:calledDecision decisionId="Approval Status" resultVariable="status"/></extensionElements></businessRuleTask>
            <exclusiveGateway id="g" default="no"/>
            <endEvent id="approved"/><endEvent id="declined"/>
            <sequenceFlow id="a" sourceRef="s" targetRef="approve"/>
            <sequenceFlow id="b" sourceRef="approve" targetRef="g"/>
            <sequenceFlow id="yes" sourceRef="g" targetRef="approved"><conditionExpression>=status = "Approved"</conditionExpression></sequenceFlow>
            <sequenceFlow id="no" sourceRef="g" targetRef="declined"/>
          </process>
        </definitions>
        """, file: "loan.bpmn")
        let i = try await h.runtime.startInstance("loan", variables: ["Age": 30, "RiskCategory": "Low", "isAffordable": true])
        try await h.runtime.settle()
        let history = try await h.store.history(instanceId: i.id)
        #expect(history.contains { $0.elementId == "approved" && $0.event == "completed" })
        #expect(history.contains { $0.elementId == "approve" && $0.elementType == "businessRuleTask" })
        #expect(try await h.store.instance(i.id)?.variables["status"] == "Approved")
        // decisions survive a restart of the runtime
        await h.runtime.shutdown()
        let h2 = try await Harness(dir: h.dir)
        #expect(try h2.runtime.decisions.evaluate("Approval Status", inputs: ["Age": 17, "RiskCategory": "Low", "isAffordable": true]) == "Declined")
    }
}

enum RuleSetTestsSource {
    static let routing = """
    decision: device-routing
    hit_policy: first
    inputs:
      status: device_status
      temperature: temperature
    outputs: [path, priority]
    rules:
      - when: {status: '"error"'}
        then: {path: '"maintenance"', priority: 1}
      - when: {temperature: "> 25"}
        then: {path: '"cooling"', priority: 2}
      - when: {}
        then: {path: '"normal"', priority: 3}
    """
}

/// Multi-instance in the YAML DSL: the plan's "multiple approvers (parallel)".
@Suite struct YAMLMultiInstanceTests {
    static let process = """
    id: two-approvals
    activities:
      - id: approve
        type: user
        assignee: ${approver}
        form: {type: object, required: [approved], properties: {approved: {type: boolean}}}
        multi_instance: {over: approvers, as: approver, collect: approved, into: approvals}
      - id: decide
        type: decision
        condition: all(approvals)
        true_path: granted
        false_path: refused
      - {id: granted, type: end, result: {outcome: approved}}
      - {id: refused, type: end, result: {outcome: rejected}}
    """

    @Test(arguments: [true, false]) func everyApproverDecides(secondApproves: Bool) async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process, file: "two.yaml")
        let i = try await h.runtime.startInstance("two-approvals", variables: ["approvers": ["ann", "bob"]])
        let tasks = try await h.store.userTasks(TaskQuery(instanceId: i.id))
        #expect(Set(tasks.compactMap(\.assignee)) == ["ann", "bob"])
        let ann = try #require(tasks.first { $0.assignee == "ann" })
        let bob = try #require(tasks.first { $0.assignee == "bob" })
        let afterOne = try await h.runtime.completeTask(ann.id, variables: ["approved": true])
        #expect(afterOne.status == .running, "one approval is not enough")
        let done = try await h.runtime.completeTask(bob.id, variables: ["approved": .bool(secondApproves)])
        #expect(done.status == .completed)
        #expect(done.variables["approvals"] == [true, .bool(secondApproves)])
        #expect(done.variables["outcome"] == (secondApproves ? "approved" : "rejected"))
    }

    @Test func mistakesAreReported() {
        let e = errors("""
        id: p
        activities:
          - id: d
            type: decision
            condition: x
            true_path: a
            multi_instance: {count: 2}
          - id: a
            type: user
            multi_instance: {as: x}
        """)
        #expect(e.contains { $0.hasPrefix("test.yaml:7:5: error: 'multi_instance' applies to tasks") })
        #expect(e.contains { $0.hasPrefix("test.yaml:10:21: error: 'multi_instance' needs 'over' (a list expression) or 'count'") })
    }

    func errors(_ yaml: String) -> [String] {
        do { _ = try YAMLDefinitionReader.read(source: yaml, file: "test.yaml"); return [] } catch { return error.errors.map(\.description) }
    }
}
