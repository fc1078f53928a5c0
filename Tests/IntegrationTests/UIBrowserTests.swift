import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// The operator pages and signing in, in a real browser (Debian's chromium, headless, driven
/// by Selenium): the scripts in browser/ print a line per check.
@Suite(.serialized) struct UIBrowserTests {
    func runScript(_ name: String, _ args: [String]) async throws -> String {
        let script = repoRoot.appendingPathComponent("Tests/IntegrationTests/browser/\(name)").path
        let r = try await Spawned.completion(of: ["python3", script] + args)
        print(r.output)
        #expect(r.status == 0, "\(r.output)")
        return r.output
    }

    @Test(.timeLimit(.minutes(5))) func inARealBrowserAnInstanceIsStartedTheListPagedAndAnIncidentRetried() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try OperationsTests.waiter.write(to: defs.appendingPathComponent("waiter.yaml"), atomically: true, encoding: .utf8)
        try AuthTests.payment.write(to: defs.appendingPathComponent("payment.bpmn"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        for _ in 0..<60 { #expect(try await http("POST", "\(server.base)/processes/waiter/start", body: "{}").status == 201) }
        // an incident: the payment's job failed by its worker with no retries left
        let payment = try await http("POST", "\(server.base)/processes/payment/start", body: "{}")
        let id = try #require(payment.body[member: "id"].stringValue)
        let activate = #"{"type": "charge-card", "worker": "w", "maxJobsToActivate": 1, "timeout": 60000}"#
        let job = try #require(try await http("POST", "\(server.base)/jobs/activate", body: activate).body[member: "jobs"].listValue?.first)
        let failed = try await http("POST", "\(server.base)/jobs/\(job[member: "key"].interpolated)/fail",
                                    body: #"{"retries": 0, "errorMessage": "card declined by the bank"}"#)
        #expect(failed.status == 200)
        #expect(try await http("GET", "\(server.base)/incidents?message=declined").body[member: "items"].listValue?.count == 1)
        let out = try await runScript("operate_test.py", [server.base, id])
        #expect(out.contains("ok   the instance runs again, waiting for its job"))
    }

    @Test(.timeLimit(.minutes(3))) func inARealBrowserAWrongSignInTokenIsRefusedWithAMessage() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try AuthTests().server(dir)
        defer { s.kill(SIGTERM) }
        let out = try await runScript("signin_test.py", [s.base, "viewer-token-0123456789abcdef", "vera"])
        #expect(out.contains("ok   after signing out the pages need signing in again"))
    }

    static let review = """
    <?xml version="1.0" encoding="UTF-8"?>
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="review-defs" targetNamespace="http://bpmn.io/schema/bpmn">
      <bpmn:process id="review" name="Review" isExecutable="true">
        <bpmn:startEvent id="start"/>
        <bpmn:userTask id="review_task" name="Review"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review_task"/>
        <bpmn:sequenceFlow id="f2" sourceRef="review_task" targetRef="end"/>
      </bpmn:process>
      <bpmndi:BPMNDiagram id="d1">
        <bpmndi:BPMNPlane id="p1" bpmnElement="review">
          <bpmndi:BPMNShape id="start_di" bpmnElement="start">
            <dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
          <bpmndi:BPMNShape id="review_di" bpmnElement="review_task">
            <dc:Bounds x="240" y="80" width="100" height="80"/></bpmndi:BPMNShape>
          <bpmndi:BPMNShape id="end_di" bpmnElement="end">
            <dc:Bounds x="392" y="102" width="36" height="36"/></bpmndi:BPMNShape>
          <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
            <di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/></bpmndi:BPMNEdge>
          <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
            <di:waypoint x="340" y="120"/><di:waypoint x="392" y="120"/></bpmndi:BPMNEdge>
        </bpmndi:BPMNPlane>
      </bpmndi:BPMNDiagram>
    </bpmn:definitions>
    """

    @Test(.timeLimit(.minutes(5))) func inARealBrowserADefinitionIsEditedValidatedTestRunAndDeployed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try OperationsTests.waiter.write(to: defs.appendingPathComponent("waiter.yaml"), atomically: true,
                                         encoding: .utf8)
        try Self.review.write(to: defs.appendingPathComponent("review.bpmn"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("s.sqlite"), definitions: defs)
        defer { server.kill(SIGTERM) }
        // the screenshots go to a scratch folder; BPM_SCREENSHOTS=docs/ui renews the ones docs/ui.md shows
        let shots = ProcessInfo.processInfo.environment["BPM_SCREENSHOTS"] ?? dir.path
        let out = try await runScript("editor_test.py", [server.base, shots])
        #expect(out.contains("ok   GET /definitions lists it with the new label"))
    }
}
