import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// REST v2 repairs in process: modification (activate, terminate by key or element id), migration with mappings
/// between versions, resource deletion; their problems and roles.
extension CamundaRESTRouterTests {
    func jobs(_ client: any TestClientProtocol, _ type: String, token: String) async throws -> [Value] {
        let r = try await call(client, .post, "/v2/jobs/activation", token: token,
                               json: #"{"type": "\#(type)", "timeout": 60000, "maxJobsToActivate": 5, "#
                                   + #""requestTimeout": 200}"#)
        return r.json[member: "jobs"].listValue ?? []
    }

    static func definitionKey(_ deployment: Reply) -> String? {
        let first = deployment.json[member: "deployments"].listValue?.first
        return first?[member: "processDefinition"][member: "processDefinitionKey"].stringValue
    }

    func startOrder(_ client: any TestClientProtocol) async throws -> String {
        let r = try await call(client, .post, "/v2/process-instances",
                               json: #"{"processDefinitionId": "rest-order", "variables": {"orderId": "M"}}"#)
        return try #require(r.json[member: "processInstanceKey"].stringValue, "\(JSON.encode(r.json))")
    }

    @Test func aModificationActivatesAnElementAndTerminatesAnother() async throws {
        try await withRouter { client in
            #expect(try await deploy(client).status == 200)
            let pi = try await startOrder(client)
            let uri = "/v2/process-instances/\(pi)/modification"
            let viewer = try await call(client, .post, uri, token: Self.viewer, json: "{}")
            expectProblem(viewer, 403, "Forbidden", uri)
            let move = try await call(client, .post, uri, json: #"{"moveInstructions": [{"targetElementId": "X"}]}"#)
            expectProblem(move, 400, "INVALID_ARGUMENT", uri, detail: "moveInstructions")
            let twice = #"{"terminateInstructions": [{"elementId": "Reserve", "elementInstanceKey": "1"}]}"#
            let both = try await call(client, .post, uri, json: twice)
            expectProblem(both, 400, "INVALID_ARGUMENT", uri, detail: "either")
            let unknown = try await call(client, .post, uri,
                                         json: #"{"activateInstructions": [{"elementId": "Nope"}]}"#)
            expectProblem(unknown, 400, "INVALID_ARGUMENT", uri, detail: "'Nope'")
            let ok = try await call(client, .post, uri, json: #"""
                {"activateInstructions": [{"elementId": "Charge", "ancestorElementInstanceKey": "-1",
                  "variableInstructions": [{"variables": {"amount": 42}}]}],
                 "terminateInstructions": [{"elementId": "Reserve"}]}
                """#)
            #expect(ok.status == 204, "\(JSON.encode(ok.json))")
            #expect(try await jobs(client, "reserve", token: Self.worker).isEmpty, "Reserve was terminated")
            let charge = try await jobs(client, "charge", token: Self.charger)
            #expect(charge.count == 1 && charge.first?[member: "variables"][member: "amount"] == .number(42))
        }
    }

    @Test func aMigrationFollowsItsMappingsAndAnOlderVersionCannotBeDeleted() async throws {
        try await withRouter { client in
            let v1 = try await deploy(client)
            let v1Key = try #require(Self.definitionKey(v1))
            let pi = try await startOrder(client)
            var renamed = try String(contentsOf: Self.bpmn, encoding: .utf8)
            for attr in ["id", "sourceRef", "targetRef", "attachedToRef", "bpmnElement"] {
                renamed = renamed.replacingOccurrences(of: "\(attr)=\"Reserve\"", with: "\(attr)=\"Reserve2\"")
            }
            let v2 = try await deploy(client, content: renamed)
            let v2Key = try #require(Self.definitionKey(v2))
            let uri = "/v2/process-instances/\(pi)/migration"
            let none = #"{"targetProcessDefinitionKey": "\#(v2Key)", "mappingInstructions": []}"#
            let unmapped = try await call(client, .post, uri, json: none)
            expectProblem(unmapped, 409, "INVALID_STATE", uri, detail: "'Reserve'")
            let mapped = try await call(client, .post, uri, json: #"""
                {"targetProcessDefinitionKey": "\#(v2Key)",
                 "mappingInstructions": [{"sourceElementId": "Reserve", "targetElementId": "Reserve2"}]}
                """#)
            #expect(mapped.status == 204, "\(JSON.encode(mapped.json))")
            let got = try await call(client, .get, "/v2/process-instances/\(pi)")
            #expect(got.json[member: "processDefinitionVersion"] == .number(2), "\(JSON.encode(got.json))")
            #expect(try await jobs(client, "reserve", token: Self.worker).count == 1, "its job goes on")

            let older = "/v2/resources/\(v1Key)/deletion"
            expectProblem(try await call(client, .post, older, token: Self.operatorToken), 403, "Forbidden", older)
            expectProblem(try await call(client, .post, older), 409, "INVALID_STATE", older, detail: "latest")
            let unknown = "/v2/resources/77/deletion"
            expectProblem(try await call(client, .post, unknown), 404, "NOT_FOUND", unknown)
            #expect(try await call(client, .post, "/v2/resources/\(v2Key)/deletion").status == 200)
            let start = try await call(client, .post, "/v2/process-instances",
                                       json: #"{"processDefinitionKey": "\#(v2Key)"}"#)
            #expect(start.status >= 400, "a deleted (retired) version starts no instance: \(JSON.encode(start.json))")
        }
    }
}
