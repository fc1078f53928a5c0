import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing
import Yams

/// The Backstage catalog through the router: each process's component carries its description
/// (the BPMN documentation, or one made from what it is) and links to its UI pages first.
extension OwnAPIRouterTests {
    static let documented = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="ship order" name="Ship" isExecutable="true">
        <documentation>  Ships a paid order to the customer.  </documentation>
        <startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
      </process>
    </definitions>
    """

    @Test func backstageComponentsCarryDescriptionsAndLinkTheirUIPages() async throws {
        try await withRouter { client in
            _ = try await call(client, .post, "/definitions?file=order.bpmn", json: Self.model,
                               contentType: "application/xml")
            _ = try await call(client, .post, "/definitions?file=ship.bpmn", json: Self.documented,
                               contentType: "application/xml")
            let catalog = try await call(client, .get, "/backstage/catalog-info.yaml")
            let docs = try Yams.load_all(yaml: catalog.text).map { $0 as? [String: Any] ?? [:] }
            func metadata(_ name: String) throws -> [String: Any] {
                let doc = try #require(docs.first { ($0["metadata"] as? [String: Any])?["name"] as? String == name })
                return doc["metadata"] as? [String: Any] ?? [:]
            }
            let ship = try metadata("ship-order")
            #expect(ship["description"] as? String == "Ships a paid order to the customer.")
            let links = (ship["links"] as? [[String: String]] ?? []).compactMap { $0["url"] }
            #expect(links.prefix(3) == ["http://localhost/ui/definitions/ship%20order",
                                        "http://localhost/ui/instances?definitionId=ship%20order",
                                        "http://localhost/ui/definitions/ship%20order/edit"], "\(links)")
            #expect(!links.contains { $0.contains("/processes?") }, "no link to the raw API's instance list")
            let order = try metadata("order")
            #expect(order["description"] as? String == "order: a BPMN process with 6 elements.", "\(order)")
            let api = try metadata("swift-bpm-api")
            #expect((api["links"] as? [[String: String]] ?? []).contains { $0["url"] == "http://localhost/ui/api" })
        }
    }
}
