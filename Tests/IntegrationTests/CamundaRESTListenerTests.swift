import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// Task listener jobs through REST v2: the activated job's `kind`, `listenerEventType` and
/// `userTask`, the task's COMPLETING state in the search, and a completion `result` that denies,
/// then one that corrects the task (Camunda's "User task listeners").
extension CamundaRESTRouterTests {
    static let reviewed = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                 xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="r" targetNamespace="t">
      <process id="reviewed" isExecutable="true">
        <startEvent id="s"/>
        <userTask id="u"><extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="ada"/>
          <zeebe:taskListeners>
          <zeebe:taskListener eventType="completing" type="validate"/>
        </zeebe:taskListeners></extensionElements></userTask>
        <endEvent id="e"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="u"/><sequenceFlow id="f2" sourceRef="u" targetRef="e"/>
      </process>
    </definitions>
    """

    func activateValidate(_ client: any TestClientProtocol) async throws -> Value {
        let r = try await call(client, .post, "/v2/jobs/activation", token: Self.validator,
                               json: #"{"type": "validate", "maxJobsToActivate": 1, "timeout": 60000}"#)
        #expect(r.status == 200, "\(JSON.encode(r.json))")
        return r.json[member: "jobs"].listValue?.first ?? .null
    }

    func taskState(_ client: any TestClientProtocol) async throws -> Value {
        let r = try await call(client, .post, "/v2/user-tasks/search", json: #"{"filter": {"elementId": "u"}}"#)
        return r.json[member: "items"].listValue?.first ?? .null
    }

    @Test func taskListenerJobsDenyAndCorrectThroughRESTv2() async throws {
        try await withRouter { client in
            #expect(try await deploy(client, name: "reviewed.bpmn", content: Self.reviewed).status == 200)
            let started = try await call(client, .post, "/v2/process-instances",
                                         json: #"{"processDefinitionId": "reviewed"}"#)
            #expect(started.status == 200, "\(JSON.encode(started.json))")
            let key = try #require(try await taskState(client)[member: "userTaskKey"].stringValue)
            #expect(try await call(client, .post, "/v2/user-tasks/\(key)/completion", json: "{}").status == 204)
            #expect(try await taskState(client)[member: "state"] == "COMPLETING")
            let job = try await activateValidate(client)
            #expect(job[member: "kind"] == "TASK_LISTENER" && job[member: "listenerEventType"] == "COMPLETING")
            #expect(job[member: "userTask"][member: "userTaskKey"] == .string(key))
            let jobKey = try #require(job[member: "jobKey"].stringValue)
            let deny = try await call(client, .post, "/v2/jobs/\(jobKey)/completion", token: Self.validator,
                                      json: #"{"result": {"type": "userTask", "denied": true, "deniedReason": "no"}}"#)
            #expect(deny.status == 204, "\(JSON.encode(deny.json))")
            #expect(try await taskState(client)[member: "state"] == "CREATED")
            #expect(try await call(client, .post, "/v2/user-tasks/\(key)/completion", json: "{}").status == 204)
            let again = try #require(try await activateValidate(client)[member: "jobKey"].stringValue)
            let badType = try await call(client, .post, "/v2/jobs/\(again)/completion", token: Self.validator,
                                         json: #"{"result": {"type": "adHocSubProcess"}}"#)
            #expect(badType.status == 400)
            let correct = try await call(client, .post, "/v2/jobs/\(again)/completion", token: Self.validator,
                                         json: #"{"result": {"corrections": {"priority": 80}}}"#)
            #expect(correct.status == 204, "\(JSON.encode(correct.json))")
            let done = try await taskState(client)
            #expect(done[member: "state"] == "COMPLETED" && done[member: "priority"] == 80, "\(JSON.encode(done))")
        }
    }
}
