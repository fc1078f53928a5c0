import BPMCamunda
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Testing
@testable import BPMZeebe

/// CompleteJobRequest's `result` (Zeebe's JobResult, fields 4-7) for the job of an ad-hoc
/// sub-process's job worker, through the real gRPC stack in process: an agent loop over
/// `Tests/Fixtures/camunda8/ai-agent.bpmn`, and a result naming an element the sub-process cannot
/// activate answered INVALID_ARGUMENT.
extension ZeebeServiceTests {
    static let agentModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/camunda8/ai-agent.bpmn")

    @Test func jobResultsDriveAnAdHocSubProcessOverGRPC() async throws {
        let model = try Data(contentsOf: Self.agentModel)
        try await withGateway { gateway, _ in
            let admin = Self.bearer("admin-token-0123456789")
            let agent = Self.bearer("agent-token-0123456789")
            _ = try await gateway.deployResource(.with {
                $0.resources = [.with { $0.name = "ai-agent.bpmn"; $0.content = model }]
            }, metadata: admin)
            _ = try await gateway.createProcessInstance(.with {
                $0.bpmnProcessID = "support-agent-loop"; $0.variables = #"{"ticket": "order 42?"}"#
            }, metadata: admin)
            func one(_ type: String) async throws -> GatewayProtocol_ActivatedJob {
                let request = GatewayProtocol_ActivateJobsRequest.with {
                    $0.type = type; $0.maxJobsToActivate = 5; $0.timeout = 60_000; $0.requestTimeout = 5_000
                }
                let jobs = try await gateway.activateJobs(request, metadata: agent) { r in
                    var all: [GatewayProtocol_ActivatedJob] = []
                    for try await m in r.messages { all += m.jobs }
                    return all
                }
                #expect(jobs.count == 1, "\(type): \(jobs.count) jobs")
                return try #require(jobs.first)
            }
            func complete(_ job: GatewayProtocol_ActivatedJob, _ result: GatewayProtocol_JobResult) async throws {
                _ = try await gateway.completeJob(.with { $0.jobKey = job.key; $0.result = result }, metadata: agent)
            }
            let call = GatewayProtocol_JobResultActivateElement.with {
                $0.elementID = "lookupOrder"; $0.variables = #"{"toolCall": {"orderNumber": "42"}}"#
            }
            let first = try await one("io.camunda.agenticai:aiagent-job-worker:1")
            #expect(first.elementID == "agent")
            let end = GatewayProtocol_JobResultActivateElement.with { $0.elementID = "end" }
            #expect(await Self.code {
                try await complete(first, .with { $0.type = "adHocSubProcess"; $0.activateElements = [end] })
            } == .invalidArgument)
            #expect(await Self.code { try await complete(first, .with { $0.type = "userTask" }) } == .invalidArgument)
            try await complete(first, .with { $0.type = "adHocSubProcess"; $0.activateElements = [call] })
            let lookup = try await one("io.camunda:http-json:1")
            #expect(lookup.variables.contains(#""orderNumber":"42""#), "\(lookup.variables)")
            let done = GatewayProtocol_CompleteJobRequest.with {
                $0.jobKey = lookup.key; $0.variables = #"{"response": {"body": "ok"}}"#
            }
            _ = try await gateway.completeJob(done, metadata: agent)
            let second = try await one("io.camunda.agenticai:aiagent-job-worker:1")
            #expect(second.variables.contains("toolCallResults"))
            try await complete(second, .with { $0.isCompletionConditionFulfilled = true })
            let after = GatewayProtocol_ActivateJobsRequest.with {
                $0.type = "io.camunda.agenticai:aiagent-job-worker:1"; $0.maxJobsToActivate = 5; $0.timeout = 1000
                $0.requestTimeout = -1
            }
            let left = try await gateway.activateJobs(after, metadata: agent) { r in
                var n = 0
                for try await m in r.messages { n += m.jobs.count }
                return n
            }
            #expect(left == 0, "no job once the condition is fulfilled")
        }
    }
}
