import BPMCamunda
import BPMExpressions
import Foundation
import Testing

/// `SetVariables` on an element instance: `local` variables live in the enclosing sub-process's
/// scope (and go with it), propagated ones go where they are defined, else to the instance.
@Suite(.serialized) struct CamundaScopedVariablesTests {
    static let bpmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
        xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="packing" isExecutable="true">
            <bpmn:startEvent id="start"/>
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="box"/>
            <bpmn:subProcess id="box">
              <bpmn:startEvent id="inner"/>
              <bpmn:sequenceFlow id="f2" sourceRef="inner" targetRef="pack"/>
              <bpmn:serviceTask id="pack">
                <bpmn:extensionElements><zeebe:taskDefinition type="pack"/></bpmn:extensionElements>
              </bpmn:serviceTask>
              <bpmn:sequenceFlow id="f3" sourceRef="pack" targetRef="innerEnd"/>
              <bpmn:endEvent id="innerEnd"/>
            </bpmn:subProcess>
            <bpmn:sequenceFlow id="f4" sourceRef="box" targetRef="done"/>
            <bpmn:endEvent id="done"/>
          </bpmn:process>
        </bpmn:definitions>
        """

    @Test(arguments: ["sqlite", "postgres"]) func localVariablesLiveInTheSubProcessScope(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deploy(resources: [CamundaResource(name: "packing.bpmn", content: Data(Self.bpmn.utf8))])
        let created = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "packing", variables: [:]))
        let pi = created.processInstanceKey
        let job = try #require(
            try await g.activateJobs(
                CamundaActivateJobs(type: "pack", worker: "w", timeout: 60_000, requestTimeout: -1)
            ).first)
        _ = try await g.setVariables(elementInstanceKey: job.elementInstanceKey, variables: ["box": "S"], local: true)
        _ = try await g.setVariables(elementInstanceKey: job.elementInstanceKey, variables: ["weight": 2], local: false)
        _ = try await g.setVariables(elementInstanceKey: job.elementInstanceKey, variables: ["box": "M"], local: false)
        var filter = CamundaVariableFilter()
        filter.processInstanceKey = pi
        let vars = try await g.searchVariables(filter).items
        let box = try #require(vars.first { $0.name == "box" })
        let weight = try #require(vars.first { $0.name == "weight" })
        #expect(box.scopeKey != pi && box.value == #""M""#, "local, then updated where it is defined")
        #expect(weight.scopeKey == pi && weight.value == "2", "propagated: not defined in a scope, so the instance's")
        #expect(vars.filter { $0.name == "box" }.count == 1)
        try await g.completeJob(key: job.key, variables: [:])
        let after = try await g.searchVariables(filter).items
        #expect(after.map(\.name).sorted() == ["weight"], "the local went with its sub-process")
        #expect(
            await camundaCode {
                _ = try await g.setVariables(elementInstanceKey: job.elementInstanceKey, variables: ["x": 1], local: true)
            } != nil)
    }
}
