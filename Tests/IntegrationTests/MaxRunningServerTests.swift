import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// `max_running:` through the real server: the start past the limit is a 409 problem naming the
/// running instances.
@Suite(.serialized) struct MaxRunningServerTests {
    @Test func aStartPastMaxRunningIsA409NamingTheRunningInstances() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        id: pump-service
        trigger: {type: manual, max_running: 2}
        activities:
          - {id: visit, type: user, name: Visit the heat pump}
        """.write(to: dir.appendingPathComponent("pump-service.yaml"), atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("bpm.sqlite")
        let server = try Server(store: store, definitions: dir, extra: ["--no-watch"])
        defer { server.kill(SIGTERM) }
        func start() async throws -> HTTPResult {
            try await http("POST", "\(server.base)/processes/pump-service/start", body: #"{"businessKey": "hp-7"}"#)
        }
        let a = try await start()
        let b = try await start()
        #expect(a.status == 201 && b.status == 201)
        let refused = try await start()
        #expect(refused.status == 409)
        #expect(refused.contentType == "application/problem+json")
        #expect(refused.body[member: "type"] == "urn:swift-bpm:problem:too-many-running")
        #expect(refused.body[member: "businessKey"] == "hp-7")
        #expect(refused.body[member: "instanceIds"] == .list([a.body[member: "id"], b.body[member: "id"]]))
    }
}
