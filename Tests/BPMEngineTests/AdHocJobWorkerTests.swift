import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// The job worker implementation of ad-hoc sub-processes as Camunda 8.8 runs it (Camunda docs
/// "Ad-hoc sub-processes"; Zeebe's job kind AD_HOC_SUB_PROCESS and `JobResultAdHocSubProcess`),
/// on the pure core, with `Tests/Fixtures/camunda8/ai-agent.bpmn`, written the way the Modeler's
/// "AI Agent Sub-process" template writes it. A test worker acts as the agent.
@Suite struct AdHocJobWorkerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/camunda8/ai-agent.bpmn")

    static func agentModel() throws -> ProcessDefinition {
        let source = try String(contentsOf: fixture, encoding: .utf8)
        return try #require(try BPMNDefinitionReader.read(source: source, file: "ai-agent.bpmn").first)
    }

    /// One instance of the agent model, driven command by command.
    struct Driver {
        let def: ProcessDefinition
        var state: InstanceState
        var last: Transition

        init() throws {
            def = try AdHocJobWorkerTests.agentModel()
            last = Engine.start(def, instanceId: "i", version: 1, variables: ["ticket": "where is order 42?"], now: t0)
            state = last.state
        }

        mutating func apply(_ c: Command) throws {
            last = try Engine.apply(c, to: state, definition: def, now: t0)
            state = last.state
        }

        /// The one job dispatched by the last step of the given type.
        func job(_ type: String) throws -> JobRecord {
            try #require(last.jobs.first { $0.action == type }, "no \(type) job among \(last.jobs.map(\.action))")
        }

        static let agent = "io.camunda.agenticai:aiagent-job-worker:1"

        /// The agent's decision: activate `tool` with a tool call (as the AI agent connector sends it).
        mutating func agentCalls(_ tools: [String], from job: JobRecord) throws {
            let activations = tools.enumerated().map { n, tool in
                AdHocJobResult.Activation(elementId: tool, variables: [
                    "toolCall": ["_meta": ["id": .string("call\(n)"), "name": .string(tool)], "orderNumber": "42"],
                ])
            }
            try apply(.adHocJobCompleted(jobId: job.id, output: ["agentContext": ["turn": 1]],
                                         result: AdHocJobResult(activateElements: activations)))
        }
    }

    /// Entering creates the agent's job (on the sub-process), carrying its static inputs, headers
    /// and `adHocSubProcessElements`: the tools' ids, names, documentation and properties.
    @Test func enteringCreatesTheJobWithTheToolDefinitions() throws {
        let d = try Driver()
        #expect(d.state.status == .running)
        let job = try d.job(Driver.agent)
        #expect(job.elementId == "agent")
        #expect(job.external)
        #expect(job.payload[member: "provider"][member: "type"] == "anthropic")
        #expect(job.payload[member: "provider"][member: "anthropic"][member: "authentication"][member: "apiKey"]
            == "{{secrets.ANTHROPIC_API_KEY}}")
        #expect(job.payload[member: "data"][member: "userPrompt"][member: "prompt"] == "Ticket: where is order 42?")
        #expect(job.payload[member: "headers"][member: "retryBackoff"] == "PT0S")
        let tools = try #require(job.variables?["adHocSubProcessElements"]?.listValue)
        #expect(tools.compactMap { $0[member: "elementId"].stringValue } == ["lookupOrder", "refund", "askHuman"])
        #expect(tools.first == [
            "elementId": "lookupOrder", "elementName": "Look up order",
            "documentation": "Finds an order by its number and returns its status.",
            "properties": ["category": "orders"], "parameters": [],
        ])
        #expect(job.variables?["toolCallResults"] == [])
    }

    /// The agent loop: the first decision calls one tool, its result is collected and a new job
    /// asks again; the second calls another; the third declares the completion condition fulfilled.
    @Test func anAgentLoopCallsToolsOneAfterAnotherAndCompletes() throws {
        var d = try Driver()
        try d.agentCalls(["lookupOrder"], from: try d.job(Driver.agent))
        let lookup = try d.job("io.camunda:http-json:1")
        #expect(lookup.payload[member: "orderNumber"] == "42", "the tool sees its activation's toolCall")
        #expect(lookup.payload[member: "url"] == "https://shop.example.com/orders")
        try d.apply(.jobCompleted(jobId: lookup.id, output: ["response": ["body": "shipped"]]))
        let second = try d.job(Driver.agent)
        #expect(second.variables?["toolCallResults"] == [["id": "call0", "name": "lookupOrder", "content": "shipped"]])
        #expect(second.variables?["toolCall"] == nil, "an activation's variables stay local to it")
        #expect(d.state.variables["toolCallResult"] == nil)

        try d.agentCalls(["refund"], from: second)
        let refund = try d.job("refund-payment")
        try d.apply(.jobCompleted(jobId: refund.id, output: ["refunded": true]))
        let third = try d.job(Driver.agent)
        #expect(third.variables?["toolCallResults"]?.listValue?.count == 2)

        try d.apply(.adHocJobCompleted(jobId: third.id, output: ["agent": ["responseText": "Refunded order 42"]],
                                       result: AdHocJobResult(isCompletionConditionFulfilled: true)))
        #expect(d.state.status == .completed)
        #expect(d.state.variables["agent"] == ["responseText": "Refunded order 42"])
        let names = d.state.variables["toolCallResults"]?.listValue?.map { $0[member: "name"] }
        #expect(names == ["lookupOrder", "refund"])
        #expect(d.last.history.contains { $0.elementId == "agent" && $0.event == "completion_condition_met" })
        #expect(completedPath(d.last.history).suffix(2) == ["agent", "end"])
    }

    /// "There should only be 1 active job": two tools at once; the first to finish creates a job,
    /// the second cancels it and creates the next.
    @Test func oneJobAtATimeWhenToolsRunSideBySide() throws {
        var d = try Driver()
        try d.agentCalls(["lookupOrder", "refund"], from: try d.job(Driver.agent))
        let lookup = try d.job("io.camunda:http-json:1")
        let refund = try d.job("refund-payment")
        try d.apply(.jobCompleted(jobId: lookup.id, output: ["response": ["body": "shipped"]]))
        let afterFirst = try d.job(Driver.agent)
        try d.apply(.jobCompleted(jobId: refund.id, output: ["refunded": true]))
        #expect(d.last.effects.contains(.cancelJob(id: afterFirst.id)))
        let afterSecond = try d.job(Driver.agent)
        #expect(afterSecond.id != afterFirst.id)
        #expect(afterSecond.variables?["toolCallResults"]?.listValue?.compactMap { $0[member: "id"].stringValue }
            == ["call0", "call1"], "each activation's toolCall gives its own output element")
        #expect(throws: CommandRejection.self) {
            try Engine.apply(.adHocJobCompleted(jobId: afterFirst.id, output: [:], result: AdHocJobResult()),
                             to: d.state, definition: d.def, now: t0)
        }
    }

    /// With `isCancelRemainingInstances` the tools still running end; without it the sub-process
    /// waits for them and then completes, creating no further job.
    @Test func fulfillingTheConditionCancelsOrAwaitsWhatRemains() throws {
        for cancel in [true, false] {
            var d = try Driver()
            try d.agentCalls(["askHuman", "lookupOrder"], from: try d.job(Driver.agent))
            let task = try #require(d.last.tasks.first)
            try d.apply(.jobCompleted(jobId: try d.job("io.camunda:http-json:1").id, output: ["response": [:]]))
            let next = try d.job(Driver.agent)
            try d.apply(.adHocJobCompleted(jobId: next.id, output: [:], result: AdHocJobResult(
                isCompletionConditionFulfilled: true, isCancelRemainingInstances: cancel)))
            if cancel {
                #expect(d.state.status == .completed)
                #expect(d.last.history.contains { $0.elementId == "askHuman" && $0.event == "terminated" })
                #expect(d.last.effects.contains {
                    if case .closeUserTask(task.id, "cancelled", _) = $0 { true } else { false }
                })
            } else {
                #expect(d.state.status == .running, "waits for the human")
                try d.apply(.completeUserTask(taskId: task.id, variables: ["toolCallResult": "ok"]))
                #expect(d.last.jobs.isEmpty, "no new job once the condition is fulfilled")
                #expect(d.state.status == .completed)
                #expect(d.state.variables["toolCallResults"]?.listValue?.count == 2)
            }
        }
    }

    /// A result that activates an element the sub-process cannot activate is refused and loses
    /// nothing; a job completed without a result leaves the sub-process waiting, with no job.
    @Test func badResultsAreRefusedAndNoResultWaits() throws {
        var d = try Driver()
        let job = try d.job(Driver.agent)
        let before = d.state
        for bad in ["nope", "end"] {
            #expect(throws: CommandRejection.self) {
                try Engine.apply(.adHocJobCompleted(jobId: job.id, output: ["x": 1], result: AdHocJobResult(
                    activateElements: [.init(elementId: "lookupOrder"), .init(elementId: bad)])),
                                 to: d.state, definition: d.def, now: t0)
            }
        }
        #expect(d.state == before)
        try d.apply(.jobCompleted(jobId: job.id, output: ["agentContext": ["waiting": true]]))
        #expect(d.state.status == .running)
        #expect(d.last.jobs.isEmpty)
        #expect(d.state.tokens.map(\.elementId) == ["agent"])
    }

    /// The agent's job fails as a service task's does: out of retries it raises an incident at the
    /// sub-process; retrying the incident creates the job again inside it.
    @Test func aFailedAgentJobRaisesAnIncidentAndItsRetryAsksAgain() throws {
        var d = try Driver()
        let job = try d.job(Driver.agent)
        try d.apply(.jobFailedWithRetries(jobId: job.id, message: "model unreachable", retries: 0, backoff: 0,
                                          variables: [:]))
        let incident = try #require(d.state.incidents.first)
        #expect(incident.elementId == "agent" && incident.type == "job_no_retries")
        #expect(d.state.status == .running)
        try d.apply(.retryIncident(incidentId: incident.id))
        let again = try d.job(Driver.agent)
        #expect(again.id == job.id && again.elementId == "agent")
        try d.apply(.adHocJobCompleted(jobId: again.id, output: [:],
                                       result: AdHocJobResult(isCompletionConditionFulfilled: true)))
        #expect(d.state.status == .completed)
    }

    /// The state with activation scopes survives its stored form (a restart reads it back).
    @Test func activationScopesRoundTripThroughTheStoredState() throws {
        var d = try Driver()
        try d.agentCalls(["askHuman"], from: try d.job(Driver.agent))
        #expect(d.state.tokens.contains { $0.wait == .adHocActivation })
        let s = d.state
        let back = InstanceState(id: s.id, definitionId: s.definitionId, definitionVersion: 1, status: s.status,
                                 variables: s.variables, execution: try JSON.parse(JSON.encode(s.executionValue)),
                                 correlationKey: nil, businessKey: nil, startedAt: s.startedAt, endedAt: nil,
                                 revision: s.revision)
        #expect(back == s)
    }
}
