import BPMCamunda
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Testing
@testable import BPMZeebe

/// ModifyProcessInstance and CreateProcessInstance's start instructions through the real gRPC
/// stack in process: a job's element instance terminated and the next element activated, and
/// what the engine cannot do answered INVALID_ARGUMENT.
extension ZeebeServiceTests {
    static let repairBPMN = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
        xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="repair" isExecutable="true">
            <bpmn:startEvent id="start"/>
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch"/>
            <bpmn:serviceTask id="fetch">
              <bpmn:extensionElements><zeebe:taskDefinition type="fetch"/></bpmn:extensionElements>
            </bpmn:serviceTask>
            <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="store"/>
            <bpmn:serviceTask id="store">
              <bpmn:extensionElements><zeebe:taskDefinition type="store"/></bpmn:extensionElements>
            </bpmn:serviceTask>
            <bpmn:sequenceFlow id="f3" sourceRef="store" targetRef="end"/>
            <bpmn:endEvent id="end"/>
          </bpmn:process>
        </bpmn:definitions>
        """

    @Test func modifyProcessInstanceMovesATokenOverGRPC() async throws {
        try await withGateway { gateway, _ in
            let admin = Self.bearer("admin-token-0123456789")
            let worker = Self.bearer("agent-token-0123456789")
            _ = try await gateway.deployResource(.with {
                $0.resources = [.with { $0.name = "repair.bpmn"; $0.content = Data(Self.repairBPMN.utf8) }]
            }, metadata: admin)
            func jobs(_ type: String) async throws -> [GatewayProtocol_ActivatedJob] {
                let request = GatewayProtocol_ActivateJobsRequest.with {
                    $0.type = type; $0.maxJobsToActivate = 5; $0.timeout = 60_000; $0.requestTimeout = -1
                }
                return try await gateway.activateJobs(request, metadata: worker) { r in
                    var all: [GatewayProtocol_ActivatedJob] = []
                    for try await m in r.messages { all += m.jobs }
                    return all
                }
            }
            let created = try await gateway.createProcessInstance(.with {
                $0.bpmnProcessID = "repair"; $0.variables = "{}"
            }, metadata: admin)
            let fetch = try #require(try await jobs("fetch").first)
            _ = try await gateway.modifyProcessInstance(.with {
                $0.processInstanceKey = created.processInstanceKey
                $0.activateInstructions = [.with {
                    $0.elementID = "store"
                    $0.variableInstructions = [.with { $0.variables = #"{"fetched": false}"# }]
                }]
                $0.terminateInstructions = [.with { $0.elementInstanceKey = fetch.elementInstanceKey }]
            }, metadata: admin)
            let store = try #require(try await jobs("store").first)
            #expect(store.processInstanceKey == created.processInstanceKey)
            #expect(store.variables.contains(#""fetched":false"#), "\(store.variables)")
            #expect(await Self.code {
                let complete = GatewayProtocol_CompleteJobRequest.with { $0.jobKey = fetch.key; $0.variables = "{}" }
                _ = try await gateway.completeJob(complete, metadata: worker)
            } == .notFound, "the terminated task's job is gone")
            #expect(await Self.code {
                _ = try await gateway.modifyProcessInstance(.with {
                    $0.processInstanceKey = created.processInstanceKey
                    $0.activateInstructions = [.with { $0.elementID = "nope" }]
                }, metadata: admin)
            } == .invalidArgument)
            // start instructions: a new instance begins at `store`
            let started = try await gateway.createProcessInstance(.with {
                $0.bpmnProcessID = "repair"; $0.variables = "{}"
                $0.startInstructions = [.with { $0.elementID = "store" }]
            }, metadata: admin)
            #expect(try await jobs("store").map(\.processInstanceKey) == [started.processInstanceKey])
            #expect(try await jobs("fetch").isEmpty)
        }
    }
}
