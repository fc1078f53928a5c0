import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// Camunda 8's operations over our `Runtime`, with Zeebe's semantics: what both protocol
/// adapters (the Zeebe gRPC gateway and the Orchestration Cluster REST API v2) call. Every
/// method throws only `CamundaError` (other failures are wrapped as `.internal`, store
/// unavailability as `.resourceExhausted`). Times are milliseconds, as in Zeebe's protocol.
public final class CamundaGateway: Sendable {
    public let runtime: Runtime
    /// Our ids ↔ Zeebe's int64 keys (durable, see docs/camunda.md "Keys").
    public let keys: CamundaKeys
    /// The version `topology()` reports for the broker and the gateway.
    public let version: String

    /// Callers of `createInstanceWithResult` waiting for their instance to end, by instance id.
    let endWaiters = Locked<EndWaiters>(EndWaiters())

    public init(runtime: Runtime, version: String = "8.7.0") {
        self.runtime = runtime
        self.keys = CamundaKeys(store: runtime.store)
        self.version = version
    }

    // MARK: cluster

    /// `Topology`: one broker (node 0) at `host:port`, leading partition 1, healthy;
    /// cluster size, partitions count and replication factor 1.
    public func topology(host: String, port: Int32) -> CamundaTopology {
        let partition = CamundaPartition(partitionId: 1, role: .leader, health: .healthy)
        let broker = CamundaBroker(nodeId: 0, host: host, port: port, partitions: [partition], version: version)
        return CamundaTopology(
            brokers: [broker], clusterSize: 1, partitionsCount: 1, replicationFactor: 1,
            gatewayVersion: version)
    }
}
