import BPMCamunda
import BPMExpressions
import Foundation
import Testing

/// `CreateProcessInstance` of an older version, by `version` or by that version's key.
@Suite(.serialized) struct CamundaCreateVersionTests {
    @Test(arguments: ["sqlite", "postgres"]) func anOlderVersionStarts(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let v1 = try await g.deployOrder()
        let changed = orderBPMN.replacingOccurrences(of: #"<bpmn:userTask id="review">"#,
                                                     with: #"<bpmn:userTask id="review" name="Review">"#)
        let d2 = try await g.deploy(resources: [CamundaResource(name: "order.bpmn", content: Data(changed.utf8))])
        #expect(d2.processes[0].version == 2)
        let latest = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order"))
        #expect(latest.version == 2 && latest.processDefinitionKey == d2.processes[0].processDefinitionKey)
        let byVersion = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order", version: 1))
        #expect(byVersion.version == 1 && byVersion.processDefinitionKey == v1)
        let byKey = try await g.createInstance(CamundaCreateInstance(processDefinitionKey: v1))
        #expect(byKey.version == 1 && byKey.processDefinitionKey == v1)
        var filter = CamundaInstanceFilter()
        filter.processInstanceKey = byVersion.processInstanceKey
        #expect(try await g.searchInstances(filter).items.map(\.processDefinitionVersion) == [1])
        #expect(
            await camundaCode { _ = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order", version: 9)) }
                == .notFound)
    }
}
