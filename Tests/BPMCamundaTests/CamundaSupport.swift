import BPMCamunda
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Logging

/// A migrated store of `kind` (`sqlite`: a file in a temporary folder; `postgres`: a new
/// database on the test server) and how to remove it.
func camundaStore(_ kind: String) async throws -> (any ProcessStore, () -> Void) {
    if kind == "postgres" {
        let s = try PostgresStore(url: try TestPostgres.server().createDatabase("camunda"), maxConnections: 4)
        s.operationTimeout = 60
        try await s.migrate()
        return (s, {})
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("camunda-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let s = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
    try await s.migrate()
    return (s, { try? FileManager.default.removeItem(at: dir) })
}

/// A gateway over a started runtime on `store` (quiet logs, timers fired by the test).
func camundaGateway(_ store: any ProcessStore, clock: ManualClock = ManualClock()) async throws -> CamundaGateway {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let r = Runtime(store: store, clock: clock, connectors: ConnectorRegistry(), logger: logger)
    try await r.start(timerLoop: false)
    return CamundaGateway(runtime: r, version: "test")
}

/// An order process as Camunda Modeler writes it: a service task `charge` with an error
/// boundary (PAYMENT_FAILED → end `rejected`), a message catch `paid` by `=orderId`, a user
/// task `review`.
let orderBPMN = """
    <?xml version="1.0" encoding="UTF-8"?>
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
      <bpmn:message id="paidMessage" name="paid">
        <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
      </bpmn:message>
      <bpmn:error id="paymentError" errorCode="PAYMENT_FAILED"/>
      <bpmn:process id="order" isExecutable="true">
        <bpmn:startEvent id="start"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge"/>
        <bpmn:serviceTask id="charge">
          <bpmn:extensionElements>
            <zeebe:taskDefinition type="charge" retries="3"/>
            <zeebe:taskHeaders><zeebe:header key="currency" value="EUR"/></zeebe:taskHeaders>
          </bpmn:extensionElements>
        </bpmn:serviceTask>
        <bpmn:boundaryEvent id="failed" attachedToRef="charge">
          <bpmn:errorEventDefinition errorRef="paymentError"/>
        </bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="failed" targetRef="rejected"/>
        <bpmn:endEvent id="rejected"/>
        <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="waitPaid"/>
        <bpmn:intermediateCatchEvent id="waitPaid">
          <bpmn:messageEventDefinition messageRef="paidMessage"/>
        </bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f4" sourceRef="waitPaid" targetRef="review"/>
        <bpmn:userTask id="review">
          <bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="done"/>
        <bpmn:endEvent id="done"/>
      </bpmn:process>
    </bpmn:definitions>
    """

extension CamundaGateway {
    /// Deploys the order process; its definition key.
    func deployOrder() async throws -> CamundaKey {
        let d = try await deploy(resources: [CamundaResource(name: "order.bpmn", content: Data(orderBPMN.utf8))])
        return d.processes[0].processDefinitionKey
    }

    /// Activates the one `charge` job there must be.
    func chargeJob() async throws -> CamundaActivatedJob? {
        try await activateJobs(CamundaActivateJobs(type: "charge", worker: "w", timeout: 60_000, requestTimeout: -1))
            .first
    }
}

/// The code of a CamundaError a call throws (nil when it does not).
func camundaCode(_ body: () async throws -> Void) async -> CamundaError.Code? {
    do { try await body() } catch let e as CamundaError { return e.code } catch { return .internal }
    return nil
}
