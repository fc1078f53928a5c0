import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// The executable Zeebe models that need the runtime (messages, call activities, timers
/// between instances), run as Camunda 8 would: job workers serve the service tasks.
@Suite struct ZeebeRuntimeTests {
    func harness(_ worker: RecordingConnector, _ models: String...) async throws -> Harness {
        let h = try await Harness(connectors: ConnectorRegistry(fallback: worker))
        for m in models {
            let path = zeebeDir.appendingPathComponent("\(m).bpmn").path
            try await h.runtime.deploy(source: try String(contentsOfFile: path, encoding: .utf8), file: path)
        }
        return h
    }

    func status(_ h: Harness, _ id: String) async throws -> InstanceStatus? { try await h.store.instance(id)?.status }

    @Test func messageEventCorrelatesByKey() async throws {
        let h = try await harness(RecordingConnector(), "message-event")
        defer { h.cleanup() }
        let a = try await h.runtime.startInstance("message-event", variables: ["correlationKey": "order-1"])
        let b = try await h.runtime.startInstance("message-event", variables: ["correlationKey": "order-2"])
        #expect(a.currentActivities == ["Event_1qemgo0"])
        let o = try await h.runtime.publish(message: PublishedMessage(name: "message", correlationKey: "order-2", variables: ["paid": true]))
        #expect(o == .correlated(instanceId: b.id))
        try await h.runtime.settle()
        #expect(try await status(h, b.id) == .completed)
        #expect(try await h.store.instance(b.id)?.variables["paid"] == true)
        #expect(try await status(h, a.id) == .running)
        // a message for an unknown key without a time to live is dropped; with one it waits for its subscriber
        #expect(try await h.runtime.publish(message: PublishedMessage(name: "message", correlationKey: "order-3")) == .dropped)
        #expect(try await h.runtime.publish(message: PublishedMessage(name: "message", correlationKey: "order-3", timeToLive: 60)) == .buffered)
        let c = try await h.runtime.startInstance("message-event", variables: ["correlationKey": "order-3"])
        #expect(c.status == .completed, "the buffered message was taken as soon as the subscription opened")
        // expired messages are not delivered
        #expect(try await h.runtime.publish(message: PublishedMessage(name: "message", correlationKey: "order-4", timeToLive: 10)) == .buffered)
        h.clock.advance(by: 11)
        let d = try await h.runtime.startInstance("message-event", variables: ["correlationKey": "order-4"])
        #expect(d.status == .running)
    }

    @Test func messageStartEvent() async throws {
        let worker = RecordingConnector()
        let h = try await harness(worker, "Client-MessageStart")
        defer { h.cleanup() }
        guard case .started(let ids) = try await h.runtime.publish(message: PublishedMessage(name: "MSG-START_JOB", correlationKey: nil, variables: ["job": 7])) else {
            Issue.record("no instance started")
            return
        }
        try await h.runtime.settle()
        #expect(ids.count == 1)
        #expect(try await status(h, ids[0]) == .completed)
        #expect(worker.calls.map(\.action) == ["console-log-msg-start"])
    }

    @Test(arguments: [true, false]) func eventBasedGatewayMessageOrTimer(message: Bool) async throws {
        let worker = RecordingConnector()
        let h = try await harness(worker, "Client-DeployWorkflow")
        defer { h.cleanup() }
        let i = try await h.runtime.startInstance("test-process", variables: ["uniqueId": "u1"])
        try await h.runtime.settle()
        if message {
            #expect(try await h.runtime.publish(message: PublishedMessage(name: "Message_In", correlationKey: "u1")) == .correlated(instanceId: i.id))
        } else {
            h.clock.advance(by: 5)
        }
        try await h.runtime.settle()
        #expect(try await status(h, i.id) == .completed)
        #expect(worker.calls.map(\.action) == ["demo-service", message ? "process-message" : "time-out"])
        #expect(try await h.store.dueTimers(before: h.clock.now().addingTimeInterval(3600), limit: 10).isEmpty, "the other branch was disarmed")
    }

    /// A worker that throws a BPMN error for one job type.
    final class ErrorWorker: Connector, @unchecked Sendable {
        let calls = RecordingConnector()
        func execute(_ job: JobRecord) async -> ConnectorOutcome {
            _ = await calls.execute(job)
            return job.action == "throw-bpmn-error-task-2" ? .bpmnError(code: "BUSINESS_ERROR", message: "no stock") : .completed([:])
        }
    }

    @Test func bpmnErrorFromAWorkerIsCaughtAtTheSubProcess() async throws {
        let worker = ErrorWorker()
        let h = try await Harness(connectors: ConnectorRegistry(fallback: worker))
        defer { h.cleanup() }
        let path = zeebeDir.appendingPathComponent("Client-ThrowError-2.bpmn").path
        try await h.runtime.deploy(source: try String(contentsOfFile: path, encoding: .utf8), file: path)
        let i = try await h.runtime.startInstance("throw-bpmn-error-2")
        try await h.runtime.settle()
        let s = try await h.store.instance(i.id)
        #expect(s?.status == .completed)
        #expect(s?.variables["errorCode"] == "BUSINESS_ERROR")
        #expect(worker.calls.calls.map(\.action) == ["throw-bpmn-error-task-2", "sad-flow-2"])
        let history = try await h.store.history(instanceId: i.id)
        #expect(history.contains { $0.elementId == "SubProcess_0kmfk49" && $0.event == "terminated" })
    }

    @Test func callActivityStartsTheCalledProcess() async throws {
        let h = try await harness(RecordingConnector(), "start-end", "call-activity")
        defer { h.cleanup() }
        let i = try await h.runtime.startInstance("call-activity", variables: ["x": 1])
        try await h.runtime.settle()
        #expect(try await status(h, i.id) == .completed)
        let children = try await h.store.instances(InstanceQuery(definitionId: "start-end"))
        #expect(children.count == 1)
        #expect(children.first?.status == .completed)
    }

    @Test func multiInstanceSubProcessOverACollection() async throws {
        let worker = RecordingConnector()
        let h = try await harness(worker, "automated-tests")
        defer { h.cleanup() }
        let i = try await h.runtime.startInstance("automatedTestsProcess")
        try await h.runtime.settle()
        #expect(try await status(h, i.id) == .completed)
        #expect(worker.calls.count == 3)
        #expect(Set(worker.calls.map(\.action)) == ["runTests"])
    }

    @Test func signalStartAndCrossInstanceSignals() async throws {
        let worker = RecordingConnector()
        let h = try await harness(worker, "Signal")
        defer { h.cleanup() }
        let first = try await h.runtime.broadcast(signal: "test-signal", variables: ["success": true])
        #expect(first.started.count == 1)
        try await h.runtime.settle()
        #expect(try await status(h, first.started[0]) == .completed)
        // a signal thrown by one instance reaches an instance of another process waiting for it
        try await h.runtime.deploy(source: """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
          <signal id="go" name="go"/>
          <process id="waiter" isExecutable="true">
            <startEvent id="s"/><intermediateCatchEvent id="w"><signalEventDefinition signalRef="go"/></intermediateCatchEvent><endEvent id="e"/>
            <sequenceFlow id="a" sourceRef="s" targetRef="w"/><sequenceFlow id="b" sourceRef="w" targetRef="e"/>
          </process>
          <process id="thrower" isExecutable="true">
            <startEvent id="s2"/><endEvent id="e2"><signalEventDefinition signalRef="go"/></endEvent>
            <sequenceFlow id="c" sourceRef="s2" targetRef="e2"/>
          </process>
        </definitions>
        """, file: "signals.bpmn")
        let w1 = try await h.runtime.startInstance("waiter")
        let w2 = try await h.runtime.startInstance("waiter")
        #expect(w1.status == .running)
        let t = try await h.runtime.startInstance("thrower")
        #expect(t.status == .completed)
        try await h.runtime.settle()
        #expect(try await status(h, w1.id) == .completed)
        #expect(try await status(h, w2.id) == .completed)
    }

    @Test func pullRequestProcess() async throws {
        let worker = RecordingConnector()
        let h = try await harness(worker, "automated-tests", "pr-created")
        defer { h.cleanup() }
        guard case .started(let ids) = try await h.runtime.publish(message: PublishedMessage(name: "prCreated", correlationKey: nil, variables: ["prId": "pr-42"])),
              let pr = ids.first else {
            Issue.record("the PR process did not start")
            return
        }
        try await h.runtime.settle()
        #expect(worker.calls.filter { $0.action == "runTests" }.count == 3, "the called test process ran on three systems")
        let review = try #require(try await h.store.userTasks(TaskQuery(instanceId: pr)).first)
        #expect(review.elementId == "requestReview")
        _ = try await h.runtime.completeTask(review.id, variables: [:])
        // a day without a review reminds the reviewer, then the review arrives
        h.clock.advance(by: 86400)
        try await h.runtime.settle()
        #expect(worker.calls.contains { $0.action == "remindReviewer" })
        #expect(try await h.runtime.publish(message: PublishedMessage(name: "reviewReceived", correlationKey: "pr-42", variables: ["reviewResult": "approved"]))
            == .correlated(instanceId: pr))
        try await h.runtime.settle()
        let merge = try #require(try await h.store.userTasks(TaskQuery(instanceId: pr)).first)
        #expect(merge.elementId == "mergeCode")
        _ = try await h.runtime.completeTask(merge.id, variables: [:])
        try await h.runtime.settle()
        #expect(try await status(h, pr) == .completed)
        #expect(worker.calls.last?.action == "deploySnapshot")
    }
}
