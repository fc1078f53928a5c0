import BPMExpressions
import Foundation
import Testing

/// A job worker written as a plain HTTP client serves a BPMN job type through the API.
@Suite(.serialized) struct JobWorkerTests {
    static let model = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
      <error id="e" errorCode="CARD_DECLINED"/>
      <process id="payment" isExecutable="true">
        <startEvent id="s"/>
        <serviceTask id="charge"><extensionElements>
          <zeebe:taskDefinition type="charge-card" retries="2"/>
          <zeebe:taskHeaders><zeebe:header key="currency" value="EUR"/></zeebe:taskHeaders>
        </extensionElements></serviceTask>
        <boundaryEvent id="declined" attachedToRef="charge"><errorEventDefinition errorRef="e"/></boundaryEvent>
        <endEvent id="paid"/><endEvent id="refused"/>
        <sequenceFlow id="a" sourceRef="s" targetRef="charge"/>
        <sequenceFlow id="b" sourceRef="charge" targetRef="paid"/>
        <sequenceFlow id="c" sourceRef="declined" targetRef="refused"/>
      </process>
    </definitions>
    """

    func activate(_ base: String, wait ms: Int = 5000, lock: Int = 30000) async throws -> [Value] {
        let r = try await http("POST", "\(base)/jobs/activate",
                               body: #"{"type":"charge-card","worker":"test-worker","maxJobsToActivate":5,"timeout":\#(lock),"requestTimeout":\#(ms)}"#)
        #expect(r.status == 200)
        return r.body[member: "jobs"].listValue ?? []
    }

    @Test(.timeLimit(.minutes(2))) func workerRetriesIncidentAndCompletion() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try Self.model.write(to: defs.appendingPathComponent("payment.bpmn"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        let base = server.base

        #expect(try await activate(base, wait: 0).isEmpty, "nothing to do yet")
        let started = try await http("POST", "\(base)/processes/payment/start", body: #"{"variables":{"amount":42}}"#)
        let instance = try #require(started.body[member: "id"].stringValue)
        #expect(started.body[member: "waitingAt"] == [["elementId": "charge", "waitingFor": "job"]])

        // first attempt fails with a retry left: retried after the task's backoff
        var jobs = try await activate(base)
        #expect(jobs.count == 1)
        let key = try #require(jobs.first?[member: "key"].stringValue)
        #expect(jobs.first?[member: "variables"][member: "amount"] == 42)
        #expect(jobs.first?[member: "customHeaders"] == ["currency": "EUR"])
        #expect(try await activate(base, wait: 0).isEmpty, "a locked job is not handed out twice")
        #expect(try await http("POST", "\(base)/jobs/\(key)/fail", body: #"{"retries":1,"errorMessage":"gateway timeout"}"#).status == 200)
        jobs = try await activate(base)  // long poll across the backoff
        #expect(jobs.first?[member: "attempt"] == 2)

        // the last attempt fails: an incident, until an operator retries it
        let failed = try await http("POST", "\(base)/jobs/\(key)/fail", body: #"{"retries":0,"errorMessage":"gateway down"}"#)
        #expect(failed.body[member: "incidents"][member: "message"] == ["gateway down"])
        let incident = try #require(failed.body[member: "incidents"].listValue?.first?[member: "id"].stringValue)
        #expect(try await activate(base, wait: 0).isEmpty)
        #expect(try await http("POST", "\(base)/incidents/\(incident)/retry").status == 200)

        // a worker that dies: its lock expires and the job is handed out again
        jobs = try await activate(base, lock: 300)
        #expect(jobs.count == 1)
        jobs = try await activate(base, wait: 3000)
        #expect(jobs.count == 1, "the expired lock made the job available again")

        let done = try await http("POST", "\(base)/jobs/\(key)/complete", body: #"{"variables":{"receipt":"R-1"}}"#)
        #expect(done.body[member: "status"] == "completed")
        #expect(done.body[member: "variables"][member: "receipt"] == "R-1")
        #expect(try await http("POST", "\(base)/jobs/\(key)/complete", body: "{}").status == 409, "a finished job cannot be completed again")

        // a BPMN error from the worker is caught by the boundary event
        let second = try await http("POST", "\(base)/processes/payment/start", body: "{}")
        let k2 = try #require(try await activate(base).first?[member: "key"].stringValue)
        let refused = try await http("POST", "\(base)/jobs/\(k2)/error", body: #"{"errorCode":"CARD_DECLINED","errorMessage":"insufficient funds"}"#)
        #expect(refused.body[member: "status"] == "completed")
        let history = try await http("GET", "\(base)/processes/\(second.body[member: "id"].stringValue!)/history")
        #expect(history.body.listValue?.contains { $0[member: "elementId"] == "refused" && $0[member: "event"] == "completed" } == true)
        _ = instance
    }
}
