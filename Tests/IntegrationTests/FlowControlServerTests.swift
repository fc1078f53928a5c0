import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

let serviceVisit = """
    id: service-visit
    trigger:
      type: manual
      unique: refuse
    activities:
      - {id: visit, type: user, name: Visit the heat pump}
    """

/// `unique:` business keys and `Idempotency-Key` starts through the real server: on SQLite
/// across a restart, and held by the database with two replicas on one PostgreSQL.
@Suite(.serialized) struct FlowControlServerTests {
    func start(_ server: Server, _ key: String?, businessKey: String = "hp-7") async throws -> HTTPResult {
        try await http("POST", "\(server.base)/processes/service-visit/start", body: "{\"businessKey\": \"\(businessKey)\"}",
                       headers: key.map { ["Idempotency-Key": $0] } ?? [:])
    }

    @Test func uniqueBusinessKeysAndIdempotentStartsOnSQLite() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try serviceVisit.write(to: dir.appendingPathComponent("service-visit.yaml"), atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("bpm.sqlite")
        var server = try Server(store: store, definitions: dir, extra: ["--no-watch"])
        defer { server.kill(SIGTERM) }
        let first = try await start(server, "visit-1")
        #expect(first.status == 201)
        let id = try #require(first.body[member: "id"].stringValue)
        let refused = try await start(server, nil)
        #expect(refused.status == 409)
        #expect(refused.contentType == "application/problem+json")
        #expect(refused.body[member: "type"] == "urn:swift-bpm:problem:already-running")
        #expect(refused.body[member: "instanceId"] == .string(id))
        let again = try await start(server, "visit-1")
        #expect(again.status == 201)
        #expect(again.text == first.text, "the same key answers the same status and body")
        server.kill(SIGTERM)
        server = try Server(store: store, definitions: dir, extra: ["--no-watch"])
        let afterRestart = try await start(server, "visit-1")
        #expect(afterRestart.status == 201)
        #expect(afterRestart.text == first.text)
        let bad = try await start(server, String(repeating: "k", count: 256))
        #expect(bad.status == 400)
        #expect(bad.body[member: "type"] == "urn:swift-bpm:problem:invalid-idempotency-key")
        let other = try await start(server, "visit-2", businessKey: "hp-8")
        #expect(other.status == 201)
        #expect(other.body[member: "id"] != .string(id))
    }

    @Test func twoReplicasOnOnePostgresStartOneInstancePerBusinessKeyAndIdempotencyKey() async throws {
        let pg = try TestPostgres.server()
        let url = try pg.createDatabase("flowcontrol")
        let db = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try serviceVisit.write(to: dir.appendingPathComponent("service-visit.yaml"), atomically: true, encoding: .utf8)
        let servers = try (0..<2).map { _ in
            try Server(store: dir.appendingPathComponent("unused"), definitions: dir, extra: ["--no-watch"], storeURL: url)
        }
        defer { for s in servers where s.process.isRunning { s.kill(SIGTERM) } }
        // 40 starts of one business key at once, half on each replica: one starts, 39 are refused naming it
        let results = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            for i in 0..<40 { group.addTask { try await self.start(servers[i % 2], nil) } }
            var all: [HTTPResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        let started = results.filter { $0.status == 201 }
        #expect(started.count == 1)
        #expect(results.filter { $0.status == 409 }.count == 39)
        let id = try #require(started.first?.body[member: "id"].stringValue)
        #expect(Set(results.filter { $0.status == 409 }.map { $0.body[member: "instanceId"] }) == [.string(id)])
        // 20 starts with one idempotency key at once on both replicas: one instance, one answer
        let keyed = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            for i in 0..<20 { group.addTask { try await self.start(servers[i % 2], "visit-hp-9", businessKey: "hp-9") } }
            var all: [HTTPResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(Set(keyed.map(\.status)) == [201])
        #expect(Set(keyed.map(\.text)).count == 1)
        let rows = try pg.psql(db, "SELECT count(*) FROM process_instances WHERE business_key IN ('hp-7', 'hp-9')")
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }
}
