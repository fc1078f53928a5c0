import BPMCamunda
import BPMRuntime
import BPMStoreSQLite
import Foundation
import Testing

@Suite struct CamundaTopologyTests {
    @Test func oneBrokerLeadsOnePartition() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("camunda-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        try await store.migrate()
        let gateway = CamundaGateway(runtime: Runtime(store: store, connectors: ConnectorRegistry()), version: "1.2.3")
        let t = gateway.topology(host: "localhost", port: 26500)
        #expect(t.brokers.count == 1 && t.clusterSize == 1 && t.partitionsCount == 1 && t.replicationFactor == 1)
        #expect(t.brokers[0].partitions.map(\.partitionId) == [1] && t.brokers[0].partitions[0].role == .leader)
        #expect(t.gatewayVersion == "1.2.3" && t.brokers[0].host == "localhost" && t.brokers[0].port == 26500)
    }
}
