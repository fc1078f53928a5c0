import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMTestSupport
import Foundation
import Logging
import Testing

/// The job worker implementation of ad-hoc sub-processes (Camunda 8.8, the AI-agent pattern) on
/// both stores, with `Tests/Fixtures/camunda8/ai-agent.bpmn`: the agent loop's jobs, activation
/// scopes and collected results are stored and read back by a runtime started anew; and the
/// real Camunda Python SDK runs the loop over REST v2 (`camunda-rest/agent_loop_test.py`).
@Suite(.serialized) struct AdHocJobWorkerStoreTests {
    static let fixture = repoRoot.appendingPathComponent("Tests/Fixtures/camunda8/ai-agent.bpmn")
    static let agent = "io.camunda.agenticai:aiagent-job-worker:1"

    /// A runtime whose jobs all wait for workers (no in-process connector).
    func workerRuntime(_ store: any ProcessStore) async throws -> Runtime {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let r = Runtime(store: store, clock: ManualClock(), connectors: ConnectorRegistry(), logger: logger)
        try await r.start(timerLoop: false)
        return r
    }

    func one(_ runtime: Runtime, _ type: String) async throws -> JobRecord {
        let jobs = try await runtime.activateJobs(type: type, worker: "test", max: 5, lock: 60, requestTimeout: 0)
        #expect(jobs.count == 1, "one \(type) job, got \(jobs.count)")
        return try #require(jobs.first?.job)
    }

    func call(_ tool: String, _ id: String) -> AdHocJobResult.Activation {
        .init(elementId: tool, variables: ["toolCall": ["_meta": ["id": .string(id), "name": .string(tool)]]])
    }

    /// The loop with a restart between every step: tool A, then B (a human, while the runtime is
    /// replaced), then completion; a bad result is refused as invalid input and changes nothing.
    @Test(arguments: ["sqlite", "postgres"]) func theAgentLoopSurvivesRestarts(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "adhoc_jobs")
        defer { cleanup() }
        let source = try String(contentsOf: Self.fixture, encoding: .utf8)
        var runtime = try await workerRuntime(store)
        _ = try await runtime.deploy(source: source, file: "ai-agent.bpmn")
        let instance = try await runtime.startInstance("support-agent-loop", variables: ["ticket": "order 42?"])

        let first = try await one(runtime, Self.agent)
        await #expect(throws: Runtime.RuntimeError.self) {
            try await runtime.completeAdHocJob(first, variables: [:], result: AdHocJobResult(
                activateElements: [.init(elementId: "end")]))
        }
        #expect(try await store.instance(instance.id)?.tokens.map(\.elementId) == ["agent", "agent"])
        _ = try await runtime.completeAdHocJob(first, variables: ["agentContext": ["turn": 1]],
                                               result: AdHocJobResult(activateElements: [call("lookupOrder", "c1")]))
        runtime = try await workerRuntime(store)
        let lookup = try await one(runtime, "io.camunda:http-json:1")
        let shipped: [String: Value] = ["response": ["body": "shipped"]]
        _ = try await runtime.reportJob(lookup, command: .jobCompleted(jobId: lookup.id, output: shipped))

        runtime = try await workerRuntime(store)
        let second = try await one(runtime, Self.agent)
        #expect(second.variables?["toolCallResults"] == [["id": "c1", "name": "lookupOrder", "content": "shipped"]])
        _ = try await runtime.completeAdHocJob(second, variables: [:],
                                               result: AdHocJobResult(activateElements: [call("askHuman", "c2")]))
        let stored = try #require(try await store.instance(instance.id))
        #expect(stored.tokens.contains { $0.wait == .adHocActivation })
        runtime = try await workerRuntime(store)
        let task = try #require(try await store.userTasks(TaskQuery(status: "open", instanceId: instance.id)).first)
        #expect(task.elementId == "askHuman")
        _ = try await runtime.completeTask(task.id, variables: ["toolCallResult": "approved"])

        let third = try await one(runtime, Self.agent)
        #expect(third.variables?["toolCallResults"]?.listValue?.count == 2)
        _ = try await runtime.completeAdHocJob(third, variables: ["agent": ["responseText": "done"]],
                                               result: AdHocJobResult(isCompletionConditionFulfilled: true))
        let final = try #require(try await store.instance(instance.id))
        #expect(final.status == .completed)
        #expect(final.variables["agent"] == ["responseText": "done"])
        #expect(final.variables["toolCallResults"]?.listValue?.map { $0[member: "content"] } == ["shipped", "approved"])
        let history = try await store.history(instanceId: instance.id)
        #expect(history.filter { $0.elementId == "agent" && $0.event == "job_completed" }.count == 3)
    }

    /// Our own jobs API: `POST /jobs/{id}/complete` with a `result` activates a tool; a bad one is a 400 problem.
    @Test(.timeLimit(.minutes(2))) func ourJobsAPITakesJobResults() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try FileManager.default.copyItem(at: Self.fixture, to: defs.appendingPathComponent("ai-agent.bpmn"))
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        func activate(_ type: String) async throws -> [Value] {
            let body = #"{"type":"\#(type)","worker":"w","maxJobsToActivate":5,"timeout":30000,"requestTimeout":5000}"#
            let r = try await http("POST", "\(server.base)/jobs/activate", body: body)
            return r.body[member: "jobs"].listValue ?? []
        }
        let started = try await http("POST", "\(server.base)/processes/support-agent-loop/start",
                                     body: #"{"variables":{"ticket":"order 42?"}}"#)
        let instance = try #require(started.body[member: "id"].stringValue)
        let agent = try #require(try await activate(Self.agent).first?[member: "key"].stringValue)
        let bad = try await http("POST", "\(server.base)/jobs/\(agent)/complete",
                                 body: #"{"result":{"activateElements":[{"elementId":"nope"}]}}"#)
        #expect(bad.status == 400)
        #expect(bad.body[member: "detail"].stringValue?.contains("no inner element 'nope'") == true, "\(bad.body)")
        let refundResult = #"{"result":{"type":"adHocSubProcess","activateElements":[{"elementId":"refund"}]}}"#
        let ok = try await http("POST", "\(server.base)/jobs/\(agent)/complete", body: refundResult)
        #expect(ok.status == 200)
        let refund = try await activate("refund-payment")
        #expect(refund.count == 1)
        let state = try await http("GET", "\(server.base)/processes/\(instance)")
        #expect(state.body[member: "status"] == "running")
    }

    static let python = repoRoot.appendingPathComponent(".build/venv-camunda/bin/python").path
    static let script = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda-rest/agent_loop_test.py").path

    @Test(.timeLimit(.minutes(5))) func theCamundaPythonSDKRunsTheAgentLoopOverRESTv2() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw TestFailure("no \(Self.python): run scripts/install-deps.sh --test")
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokens = dir.appendingPathComponent("tokens")
        try "admin-token-0123456789abcdef user=alice roles=admin,operator,worker\n".write(to: tokens, atomically: true,
                                                                                  encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"),
                                definitions: try subfolder("defs", of: dir), extra: ["--auth-tokens", tokens.path],
                                stderr: dir.appendingPathComponent("server.log"))
        defer { server.kill(SIGTERM) }
        let r = try await Spawned.completion(of: [Self.python, Self.script, server.base, "admin-token-0123456789abcdef",
                                                  Self.fixture.path])
        print(r.output)
        let log = (try? String(contentsOf: dir.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        #expect(r.status == 0 && r.output.contains("ALL OK"), "\(r.output)\nserver log:\n\(log.suffix(4000))")
    }
}
