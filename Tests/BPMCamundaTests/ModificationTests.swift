import BPMCamunda
import BPMEngine
import BPMExpressions
import Foundation
import Testing

/// ModifyProcessInstance, start instructions, migration mappings and DeleteResource of
/// decisions and forms through the facade, on both stores.
@Suite(.serialized) struct CamundaModificationTests {
    /// The instance's engine state behind a process instance key.
    static func state(_ g: CamundaGateway, _ key: CamundaKey) async throws -> InstanceState {
        let ref = try #require(try await g.keys.ref(key))
        return try #require(try await g.runtime.store.instance(ref.id))
    }

    @Test(arguments: ["sqlite", "postgres"]) func modificationMovesTheTokenAndRefusesWhatItCannotDo(
        _ kind: String
    ) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deployOrder()
        let pi = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": "o1"]))
            .processInstanceKey
        let job = try #require(try await g.chargeJob())
        let skip = CamundaActivateInstruction(
            elementId: "waitPaid", variables: [(scopeId: "", variables: ["skipped": true])])
        try await g.modifyInstance(key: pi, activate: [skip], terminate: [job.elementInstanceKey])
        let s = try await Self.state(g, pi)
        #expect(s.tokens.map(\.elementId) == ["waitPaid"] && s.variables["skipped"] == true)
        #expect(await camundaCode { try await g.completeJob(key: job.key, variables: [:]) } != nil, "the job is gone")
        let bad = [CamundaActivateInstruction(elementId: "nope")]
        let nope = await camundaCode { try await g.modifyInstance(key: pi, activate: bad, terminate: []) }
        let itself = await camundaCode { try await g.modifyInstance(key: pi, activate: [], terminate: [pi]) }
        #expect(nope == .invalidArgument && itself == .invalidArgument)
        #expect(await camundaCode { try await g.modifyInstance(key: 1, activate: [], terminate: []) } == .notFound)
        let history = try await g.runtime.store.history(instanceId: s.id)
        #expect(history.contains { $0.elementId == "charge" && $0.event == "terminated" })
        #expect(history.contains { $0.event == "modified" })
    }

    @Test(arguments: ["sqlite", "postgres"])
    func startInstructionsStartAtTheNamedElements(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deployOrder()
        let at = CamundaCreateInstance(
            bpmnProcessId: "order", variables: ["orderId": "o2"], startInstructions: ["review"])
        let s = try await Self.state(g, try await g.createInstance(at).processInstanceKey)
        #expect(s.tokens.map(\.elementId) == ["review"])
        let bad = CamundaCreateInstance(bpmnProcessId: "order", variables: [:], startInstructions: ["failed"])
        #expect(await camundaCode { _ = try await g.createInstance(bad) } == .invalidArgument)
    }

    @Test(arguments: ["sqlite", "postgres"])
    func migrationMovesTokensToTheMappedElements(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deployOrder()
        let pi = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": "o3"]))
            .processInstanceKey
        var renamed = orderBPMN
        for attr in ["id", "sourceRef", "targetRef", "attachedToRef"] {
            renamed = renamed.replacingOccurrences(of: "\(attr)=\"charge\"", with: "\(attr)=\"pay\"")
        }
        let v2 = try await g.deploy(resources: [CamundaResource(name: "order.bpmn", content: Data(renamed.utf8))])
        let target = v2.processes[0].processDefinitionKey
        #expect(
            await camundaCode { try await g.migrateInstance(key: pi, targetProcessDefinitionKey: target, mappings: []) }
                == .failedPrecondition, "'charge' does not exist in version 2")
        let map = [CamundaMappingInstruction(sourceElementId: "charge", targetElementId: "pay")]
        try await g.migrateInstance(key: pi, targetProcessDefinitionKey: target, mappings: map)
        let s = try await Self.state(g, pi)
        #expect(s.definitionVersion == 2 && s.tokens.map(\.elementId) == ["pay"])
        let job = try #require(try await g.chargeJob())
        try await g.completeJob(key: job.key, variables: [:])
        #expect(try await Self.state(g, pi).tokens.map(\.elementId) == ["waitPaid"])
    }

    @Test(arguments: ["sqlite", "postgres"])
    func deletedDecisionsAndFormsAreNotFoundAfterwards(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let dmn = try await g.deploy(resources: [CamundaResource(name: "dinner.dmn", content: Data(dishDMN.utf8))])
        let drg = try #require(dmn.decisionRequirements.first?.decisionRequirementsKey)
        let vars: CamundaVariables = ["month": 9, "guests": 4]
        _ = try await g.evaluateDecision(decisionId: "dish", decisionKey: nil, variables: vars)
        try await g.deleteResource(key: drg)
        let gone = await camundaCode {
            _ = try await g.evaluateDecision(decisionId: "dish", decisionKey: nil, variables: vars)
        }
        #expect(gone == .notFound)
        #expect(await camundaCode { try await g.deleteResource(key: drg) } == .notFound)
        let form = CamundaResource(name: "f.form", content: Data(#"{"id": "review-form", "components": []}"#.utf8))
        let f1 = try await g.deploy(resources: [form]).forms[0]
        try await g.deleteResource(key: f1.formKey)
        #expect(await camundaCode { try await g.deleteResource(key: f1.formKey) } == .notFound)
        let f2 = try await g.deploy(resources: [form]).forms[0]
        #expect(f2.version == 2 && f2.formKey != f1.formKey, "deployed again: a new version")
    }
}
