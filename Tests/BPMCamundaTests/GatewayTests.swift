import BPMCamunda
import BPMExpressions
import BPMRuntime
import Foundation
import Testing

@Suite(.serialized) struct CamundaGatewayTests {
    @Test(arguments: ["sqlite", "postgres"]) func deployStartCompleteCorrelateAndReview(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let pd = try await g.deployOrder()
        #expect(pd > CamundaKeys.base)
        // the message comes first, buffered for an instance that waits later
        _ = try await g.publishMessage(
            CamundaPublishMessage(
                name: "paid", correlationKey: "o-1", timeToLive: 60_000,
                messageId: "m-1", variables: ["paidBy": .string("card")]))
        #expect(
            await camundaCode {
                _ = try await g.publishMessage(
                    CamundaPublishMessage(
                        name: "paid", correlationKey: "o-1", timeToLive: 60_000,
                        messageId: "m-1"))
            } == .alreadyExists)
        let created = try await g.createInstance(
            CamundaCreateInstance(
                bpmnProcessId: "order",
                variables: ["orderId": .string("o-1")]))
        #expect(created.processDefinitionKey == pd && created.version == 1)
        let job = try #require(try await g.chargeJob())
        #expect(job.processInstanceKey == created.processInstanceKey && job.elementId == "charge")
        #expect(job.customHeaders == ["currency": "EUR"] && job.variables["orderId"] == .string("o-1"))
        try await g.completeJob(key: job.key, variables: ["charged": .bool(true)])
        #expect(await camundaCode { try await g.completeJob(key: job.key, variables: [:]) } == .notFound)
        var filter = CamundaUserTaskFilter()
        filter.processInstanceKey = created.processInstanceKey
        let task = try #require(try await g.searchUserTasks(filter).items.first)
        #expect(task.elementId == "review" && task.state == .created)
        try await g.assignUserTask(key: task.userTaskKey, assignee: "ann")
        #expect(
            await camundaCode {
                try await g.assignUserTask(key: task.userTaskKey, assignee: "bob", allowOverride: false)
            }
                == .failedPrecondition)
        try await g.completeUserTask(key: task.userTaskKey, variables: ["ok": .bool(true)])
        var f = CamundaInstanceFilter()
        f.processInstanceKey = created.processInstanceKey
        let found = try await g.searchInstances(f)
        #expect(found.items.map(\.state) == [.completed] && found.totalItems == 1)
        var vf = CamundaVariableFilter()
        vf.processInstanceKey = created.processInstanceKey
        let names = Set(try await g.searchVariables(vf).items.map(\.name))
        #expect(names.isSuperset(of: ["orderId", "charged", "paidBy", "ok"]))
        #expect(await camundaCode { try await g.cancelInstance(key: created.processInstanceKey) } == .notFound)
    }

    @Test(arguments: ["sqlite", "postgres"]) func errorsFailuresIncidentsAndRetries(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deployOrder()
        // a BPMN error the boundary catches, with variables
        let a = try await g.createInstance(
            CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": .string("o-a")]))
        let ja = try #require(try await g.chargeJob())
        #expect(ja.retries == 3)
        try await g.throwError(
            CamundaThrowError(jobKey: ja.key, errorCode: "PAYMENT_FAILED", variables: ["why": .string("card")]))
        var f = CamundaInstanceFilter()
        f.processInstanceKey = a.processInstanceKey
        #expect(try await g.searchInstances(f).items.first?.state == .completed)
        // a failure with retries left makes the job activatable again; with none, an incident
        _ = try await g.createInstance(
            CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": .string("o-b")]))
        let jb = try #require(try await g.chargeJob())
        try await g.failJob(CamundaFailJob(jobKey: jb.key, retries: 2, errorMessage: "busy"))
        let again = try #require(try await g.chargeJob())
        #expect(again.key == jb.key && again.retries == 2)
        try await g.failJob(CamundaFailJob(jobKey: jb.key, retries: 0, errorMessage: "card declined"))
        var inf = CamundaIncidentFilter()
        inf.jobKey = jb.key
        let incident = try #require(try await g.searchIncidents(inf).items.first)
        #expect(
            incident.errorType == "JOB_NO_RETRIES" && incident.errorMessage == "card declined"
                && incident.state == .active)
        #expect(await camundaCode { try await g.resolveIncident(key: incident.incidentKey) } == .failedPrecondition)
        try await g.updateJobRetries(key: jb.key, retries: 1)
        try await g.resolveIncident(key: incident.incidentKey)
        let retried = try #require(try await g.chargeJob())
        #expect(retried.key == jb.key && retried.retries == 1)
        // an error nothing catches: an incident, as Zeebe raises
        try await g.throwError(CamundaThrowError(jobKey: jb.key, errorCode: "NOBODY_CATCHES"))
        inf.jobKey = nil
        inf.errorType = "UNHANDLED_ERROR_EVENT"
        #expect(try await g.searchIncidents(inf).items.count == 1)
    }

    @Test func badInputAndUnknownKeys() async throws {
        let (store, cleanup) = try await camundaStore("sqlite")
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let bad = CamundaResource(name: "bad.bpmn", content: Data("<bpmn:definitions".utf8))
        do {
            _ = try await g.deploy(resources: [bad])
            Issue.record("a bad resource deployed")
        } catch let e as CamundaError {
            #expect(e.code == .invalidArgument && e.message.hasPrefix("bad.bpmn:"))
        }
        #expect(
            await camundaCode {
                _ = try await g.deploy(resources: [CamundaResource(name: "x.txt", content: Data("x".utf8))])
            } == .invalidArgument)
        #expect(
            await camundaCode { _ = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "nope")) }
                == .notFound)
        #expect(await camundaCode { try await g.cancelInstance(key: CamundaKeys.base + 999) } == .notFound)
        #expect(await camundaCode { try await g.completeJob(key: 42, variables: [:]) } == .notFound)
        #expect(
            await camundaCode {
                _ = try await g.correlateMessage(name: "paid", correlationKey: "none", variables: [:])
            } == .notFound)
        let form = CamundaResource(name: "f.form", content: Data(#"{"id": "review-form", "components": []}"#.utf8))
        let d = try await g.deploy(resources: [form])
        #expect(d.forms.map(\.formId) == ["review-form"] && d.forms[0].version == 1)
    }

    @Test(arguments: ["sqlite", "postgres"]) func keysStayAcrossARestart(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let pd = try await g.deployOrder()
        let created = try await g.createInstance(
            CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": .string("o")]))
        let job = try #require(try await g.chargeJob())
        await g.runtime.shutdown()
        let again = try await camundaGateway(store)
        #expect(
            try await again.keys.key(
                .processInstance, try #require(try await again.keys.ref(created.processInstanceKey)).id)
                == created.processInstanceKey)
        var f = CamundaInstanceFilter()
        f.processDefinitionKey = pd
        #expect(try await again.searchInstances(f).items.map(\.processInstanceKey) == [created.processInstanceKey])
        try await again.completeJob(key: job.key, variables: [:])
        // it waits at its service task: not done in time
        #expect(
            await camundaCode {
                _ = try await again.createInstanceWithResult(
                    CamundaCreateInstance(processDefinitionKey: pd, variables: ["orderId": .string("o2")]),
                    requestTimeout: 200)
            } == .deadlineExceeded)
    }
}
