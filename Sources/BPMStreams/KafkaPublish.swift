import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Logging

/// The `kafka_publish` action: `topic`, `payload` (any value; `${…}` templates filled in),
/// optional `key` and `headers`. Every message carries the job id in the `bpm-idempotency-key`
/// header: a retry (after a failure or a crash) sends the same key, so a consumer can drop
/// what it has seen.
public struct KafkaPublishConnector: Connector {
    let producer: KafkaProducer

    public init(producer: KafkaProducer) { self.producer = producer }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        guard let (topic, value) = publishTarget(job) else {
            return .failed(message: "kafka_publish needs a 'topic'", retryable: false)
        }
        let key = job.payload[member: "key"]
        var headers = [("bpm-idempotency-key", job.id), ("bpm-instance-id", job.instanceId), ("bpm-element-id", job.elementId)]
        for (k, v) in (job.payload[member: "headers"].contextValue ?? [:]).sorted(by: { $0.key < $1.key }) { headers.append((k, v.interpolated)) }
        do {
            try await producer.send(topic: topic, key: key.isNull ? job.instanceId : key.interpolated, value: value, headers: headers)
            return .completed([:])
        } catch {
            return .failed(message: "kafka_publish to \(topic): \(error)", retryable: true)
        }
    }
}

/// The `topic` and `payload` of a publishing job (an object or list is sent as JSON, a
/// string as is); nil without a topic.
func publishTarget(_ job: JobRecord) -> (topic: String, bytes: [UInt8])? {
    guard let topic = job.payload[member: "topic"].stringValue, !topic.isEmpty else { return nil }
    let payload = job.payload[member: "payload"]
    return (topic, payload.stringValue.map { Array($0.utf8) } ?? Array(JSON.encode(payload).utf8))
}

/// Publishes the outbox — the engine's lifecycle events, written in the same transaction as
/// the state change they report — to Kafka, then deletes what the broker acknowledged. At
/// least once: after a crash between the two, events are sent again with the same
/// `event_id` (also the `bpm-event-id` header).
public final class OutboxRelay: @unchecked Sendable {
    let store: any ProcessStore
    let producer: KafkaProducer
    let logger: Logger
    private var task: Task<Void, Never>?
    public var pollInterval: Double = 0.05

    public init(store: any ProcessStore, producer: KafkaProducer, logger: Logger = Logger(label: "bpm.outbox")) {
        self.store = store
        self.producer = producer
        self.logger = logger
    }

    public func start() {
        task = Task { [self] in
            var failures = 0
            while !Task.isCancelled {
                do {
                    let n = try await relayOnce()
                    failures = 0
                    if n == 0 { try? await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9)) }
                } catch {
                    failures += 1
                    if failures == 1 || failures % 60 == 0 { logger.error("outbox: \(error); trying again") }
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                }
            }
        }
    }

    /// Publishes one batch; returns how many were sent.
    @discardableResult
    public func relayOnce(limit: Int = 500) async throws -> Int {
        let batch = try await store.outbox(limit: limit)
        guard !batch.isEmpty else { return 0 }
        // in the outbox's order (the order of the commits): per instance key, the order they happened in
        try await producer.sendInOrder(batch.map {
            ($0.topic, $0.key, Array($0.payload.utf8), [("bpm-event-id", $0.id)])
        })
        try await store.deleteOutbox(batch.map(\.id))
        return batch.count
    }

    public func stop() async {
        task?.cancel()
        task = nil
        _ = try? await relayOnce()
    }
}
