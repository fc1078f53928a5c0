import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMTestSupport
import Foundation
import Logging
import Testing

/// Camunda 8 execution listeners and user task listeners on both stores, worked by a worker
/// through the runtime's job API. Each test cites the behaviour of Camunda's documentation it
/// checks ("Execution listeners", "User task listeners").
@Suite struct ListenerStoreTests {
    static func model(_ body: String, process: String = "") -> String {
        """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="p" isExecutable="true">\(process)
            <startEvent id="s"/>
            \(body)
            <endEvent id="e"/>
            <sequenceFlow id="f1" sourceRef="s" targetRef="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
          </process>
        </definitions>
        """
    }

    static let charge = model("""
    <serviceTask id="t"><extensionElements><zeebe:taskDefinition type="charge"/><zeebe:executionListeners>
      <zeebe:executionListener eventType="start" type="check"/>
      <zeebe:executionListener eventType="start" type="enrich"/>
      <zeebe:executionListener eventType="end" type="audit" retries="1"/>
    </zeebe:executionListeners></extensionElements></serviceTask>
    """)

    /// A runtime whose jobs all wait for workers (no in-process connector).
    static func runtime(_ store: any ProcessStore) async throws -> Runtime {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let r = Runtime(store: store, clock: ManualClock(), connectors: ConnectorRegistry(), logger: logger)
        try await r.start(timerLoop: false)
        return r
    }

    /// The one job of `type` a worker activates now.
    static func job(_ r: Runtime, _ type: String) async throws -> JobRecord {
        let found = try await r.activateJobs(type: type, worker: "w", max: 5, lock: 60, requestTimeout: 0)
        #expect(found.count == 1, "expected one \(type) job, got \(found.map(\.job.action))")
        return try #require(found.first).job
    }

    static func types(_ store: any ProcessStore) async throws -> [String] {
        try await store.pendingJobs(limit: 100).map(\.action).sorted()
    }

    /// "Start listeners are invoked after applying the variable input mappings, and before …
    /// executing the element's behavior", "executed sequentially … in the order defined";
    /// "End listeners are invoked after applying the variable output mappings and before leaving
    /// the element"; a start listener's variables are visible to what follows.
    @Test(arguments: ["sqlite", "postgres"]) func listenersRunInOrderAroundTheElement(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let r = try await Self.runtime(store)
        _ = try await r.deploy(source: Self.charge, file: "p.bpmn")
        let instance = try await r.startInstance("p")
        #expect(try await Self.types(store) == ["check"])  // no service job before the start listeners
        let check = try await Self.job(r, "check")
        #expect(check.kind == "EXECUTION_LISTENER" && check.listenerEventType == "START")
        _ = try await r.reportJob(check.id, .completed(["checked": true]))
        #expect(try await Self.types(store) == ["enrich"])
        _ = try await r.reportJob(try await Self.job(r, "enrich").id, .completed(["amount": 12]))
        let charge = try await Self.job(r, "charge")
        #expect(charge.kind == "BPMN_ELEMENT" && charge.variables?["amount"] == 12)
        _ = try await r.reportJob(charge.id, .completed(["receipt": "r-1"]))
        let audit = try await Self.job(r, "audit")
        #expect(audit.listenerEventType == "END" && audit.variables?["receipt"] == "r-1")
        #expect(try await store.instance(instance.id)?.status == .running)  // the end event waits for it
        _ = try await r.reportJob(audit.id, .completed(["audited": true]))
        let done = try #require(try await store.instance(instance.id))
        #expect(done.status == .completed && done.variables["audited"] == true && done.variables["checked"] == true)
        let events = try await store.history(instanceId: instance.id).filter { $0.elementId == "t" }.map(\.event)
        #expect(events == ["activating", "listener_started", "listener_completed", "listener_started",
                           "listener_completed", "activated", "completing", "listener_started",
                           "listener_completed", "completed"])
    }

    /// "If all retries are exhausted … an incident is raised. Once the incident is resolved, only
    /// the listener with the failed job is retried"; ThrowError is "not supported for execution
    /// listener jobs".
    @Test(arguments: ["sqlite", "postgres"]) func aFailedListenerRaisesAnIncidentThatRerunsIt(kind: String)
        async throws
    {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let r = try await Self.runtime(store)
        _ = try await r.deploy(source: Self.charge, file: "p.bpmn")
        let instance = try await r.startInstance("p")
        _ = try await r.reportJob(try await Self.job(r, "check").id, .completed([:]))
        let enrich = try await Self.job(r, "enrich")
        await #expect(throws: (any Error).self) {
            _ = try await r.reportJob(enrich.id, .bpmnError(code: "E", message: nil))
        }
        _ = try await r.reportJob(enrich.id, .failed(message: "lookup down", retryable: false))
        let incident = try #require(try await store.incidents(instanceId: instance.id, openOnly: true).first)
        #expect(incident.incident.elementId == "t" && incident.incident.message == "lookup down")
        #expect(try await Self.types(store).isEmpty)
        _ = try await r.retryIncident(incident.incident.id)
        #expect(try await Self.types(store) == ["enrich"])  // the completed check listener is not run again
        _ = try await r.reportJob(try await Self.job(r, "enrich").id, .completed([:]))
        #expect(try await Self.types(store) == ["charge"])
    }

    /// Cancelling the instance while a listener runs drops its job; the process's own start and
    /// end listeners run before the start event and after the last path.
    @Test(arguments: ["sqlite", "postgres"]) func processListenersAndCancel(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let r = try await Self.runtime(store)
        let listeners = """
        <extensionElements><zeebe:executionListeners><zeebe:executionListener eventType="start" type="open"/>
        <zeebe:executionListener eventType="end" type="close"/></zeebe:executionListeners></extensionElements>
        """
        _ = try await r.deploy(source: Self.model(#"<task id="t"/>"#, process: listeners), file: "p.bpmn")
        let first = try await r.startInstance("p")
        #expect(try await store.history(instanceId: first.id).contains { $0.elementId == "s" } == false)
        _ = try await r.reportJob(try await Self.job(r, "open").id, .completed([:]))
        let close = try await Self.job(r, "close")
        #expect(close.elementId == "p" && close.listenerEventType == "END")
        #expect(try await store.instance(first.id)?.status == .running)
        _ = try await r.reportJob(close.id, .completed([:]))
        #expect(try await store.instance(first.id)?.status == .completed)
        let second = try await r.startInstance("p")
        #expect(try await Self.types(store) == ["open"])
        _ = try await r.send(.cancel(reason: nil), to: second.id)
        #expect(try await Self.types(store).isEmpty)
        #expect(try await store.instance(second.id)?.status == .terminated)
    }

    static let review = model("""
    <userTask id="t"><extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="ann"/>
      <zeebe:taskListeners>
        <zeebe:taskListener eventType="creating" type="prepare"/>
        <zeebe:taskListener eventType="assigning" type="route"/>
        <zeebe:taskListener eventType="completing" type="validate"/>
      </zeebe:taskListeners></extensionElements></userTask>
    """)

    /// A runtime on `store` with an instance of `review` started: its user task's id.
    static func startReview(_ store: any ProcessStore) async throws -> (Runtime, InstanceState, String) {
        let r = try await runtime(store)
        _ = try await r.deploy(source: review, file: "p.bpmn")
        let instance = try await r.startInstance("p")
        let taskId = try #require(try await store.userTasks(TaskQuery(status: nil, instanceId: instance.id)).first).id
        return (r, instance, taskId)
    }

    /// "The user task lifecycle transition is paused until the task listener completes"; the
    /// task's state shows it; "corrections … are applied to the user task when the lifecycle
    /// transition is finalized"; a denied completion leaves "the task … as if the lifecycle event
    /// never occurred" and discards the corrections.
    @Test(arguments: ["sqlite", "postgres"]) func taskListenersHoldDenyAndCorrect(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let (r, instance, taskId) = try await Self.startReview(store)
        #expect(try await store.userTask(taskId)?.status == "creating")
        let prepare = try await Self.job(r, "prepare")
        #expect(prepare.kind == "TASK_LISTENER" && prepare.listenerEventType == "CREATING")
        #expect(prepare.listenerUserTask == taskId)
        _ = try await r.reportJob(prepare, command: .jobCompletedWithResult(
            jobId: prepare.id, output: [:], result: UserTaskJobResult(corrections: ["priority": 70])))
        // the process's assignee is assigned through the assigning listeners
        #expect(try await store.userTask(taskId)?.status == "assigning")
        let route = try await Self.job(r, "route")
        _ = try await r.reportJob(route, command: .jobCompletedWithResult(
            jobId: route.id, output: [:], result: UserTaskJobResult(corrections: ["assignee": "bob"])))
        var task = try #require(try await store.userTask(taskId))
        #expect(task.status == "open" && task.assignee == "bob" && task.priority == 70)
        _ = try await r.completeTask(taskId, variables: ["ok": false])
        #expect(try await store.userTask(taskId)?.status == "completing")
        let denied = try await Self.job(r, "validate")
        _ = try await r.reportJob(denied, command: .jobCompletedWithResult(
            jobId: denied.id, output: [:],
            result: UserTaskJobResult(denied: true, deniedReason: "ok must be true", corrections: ["priority": 1])))
        task = try #require(try await store.userTask(taskId))
        #expect(task.status == "open" && task.priority == 70)
        let history = try await store.history(instanceId: instance.id)
        #expect(history.contains {
            $0.event == "completing_denied" && $0.data?[member: "deniedReason"] == "ok must be true"
        })
        _ = try await r.completeTask(taskId, variables: ["ok": true])
        let validate = try await Self.job(r, "validate")
        _ = try await r.reportJob(validate, command: .jobCompletedWithResult(
            jobId: validate.id, output: [:], result: UserTaskJobResult(corrections: ["priority": 90])))
        task = try #require(try await store.userTask(taskId))
        #expect(task.status == "completed" && task.priority == 90)
        let done = try #require(try await store.instance(instance.id))
        #expect(done.status == .completed && done.variables["ok"] == true)
    }

    /// An assignment through the API waits for the assigning listeners; a denial keeps the
    /// assignee the task had.
    @Test(arguments: ["sqlite", "postgres"]) func aDeniedAssignmentKeepsTheAssignee(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let (r, _, taskId) = try await Self.startReview(store)
        _ = try await r.reportJob(try await Self.job(r, "prepare").id, .completed([:]))
        _ = try await r.reportJob(try await Self.job(r, "route").id, .completed([:]))
        #expect(try await store.userTask(taskId)?.assignee == "ann")
        _ = try await r.assignTask(taskId, to: "carl")
        #expect(try await store.userTask(taskId)?.status == "assigning")
        let route = try await Self.job(r, "route")
        _ = try await r.reportJob(route, command: .jobCompletedWithResult(
            jobId: route.id, output: [:], result: UserTaskJobResult(denied: true)))
        let task = try #require(try await store.userTask(taskId))
        #expect(task.status == "open" && task.assignee == "ann")
    }
}

/// The YAML DSL's listeners run as the BPMN ones (docs/dsl.md, "Listeners").
@Suite struct ListenerYAMLStoreTests {
    static let yaml = """
    id: payment
    listeners:
      end: [close-case]
    activities:
      - id: charge
        type: script
        set: {charged: risk = "low"}
        listeners:
          start: [fraud-check]
      - id: approve
        type: user
        task_listeners:
          completing: [validate]
    """

    @Test(arguments: ["sqlite", "postgres"]) func yamlListenersRun(kind: String) async throws {
        let (store, cleanup) = try await migratedStore(kind, database: "listeners")
        defer { cleanup() }
        let r = try await ListenerStoreTests.runtime(store)
        _ = try await r.deploy(source: Self.yaml, file: "payment.yaml")
        let instance = try await r.startInstance("payment", variables: ["amount": 5])
        #expect(try await ListenerStoreTests.types(store) == ["fraud-check"])
        _ = try await r.reportJob(try await ListenerStoreTests.job(r, "fraud-check").id, .completed(["risk": "low"]))
        let task = try #require(try await store.userTasks(TaskQuery(instanceId: instance.id)).first)
        _ = try await r.completeTask(task.id, variables: ["approved": true])
        #expect(try await store.userTask(task.id)?.status == "completing")
        _ = try await r.reportJob(try await ListenerStoreTests.job(r, "validate").id, .completed([:]))
        #expect(try await store.userTask(task.id)?.status == "completed")
        #expect(try await store.instance(instance.id)?.status == .running)  // the process's end listener
        _ = try await r.reportJob(try await ListenerStoreTests.job(r, "close-case").id, .completed([:]))
        let done = try #require(try await store.instance(instance.id))
        #expect(done.status == .completed && done.variables["charged"] == true && done.variables["approved"] == true)
    }
}
