import BPMRuntime
import BPMStore
import CRdKafka
import Foundation

/// A partition whose broker offsets went below the position stored for it: the topic was
/// deleted and created again (or truncated). Its consumption is paused until an operator
/// resets the stored position (`bpm kafka reset`): consuming on would either start again at
/// offset 0 silently or skip the new topic's first records, up to the old position.
public struct OffsetRegression: Sendable, Equatable, CustomStringConvertible {
    public var partition: TopicPartition
    /// The stored position: the offset the engine expected next.
    public var stored: Int64
    /// Where the broker's log ends now (its high watermark).
    public var brokerEnd: Int64
    /// When it was found.
    public var since = Date()

    public var description: String {
        "\(partition): the broker's offsets end at \(brokerEnd), below the stored position \(stored) (topic recreated?)"
    }
}

/// Detecting offset regressions (on the poll thread): librdkafka's automatic offset reset, a
/// record below the expected position, or a high watermark below it (checked every 5 s).
extension KafkaConsumer {
    /// The partitions paused for an offset regression now.
    public var regressions: [OffsetRegression] {
        shared.withLock { $0.paused.values.sorted { $0.partition < $1.partition } }
    }

    /// Whether a fetched record may be delivered: not when its partition is paused, nor when
    /// it lies below the position the partition's next record follows while the broker's log
    /// ends below that position too (the partition is then paused). A record below the position
    /// in a log that reaches past it is one fetched again (a rebalance): delivered, and the
    /// store refuses it if it would repeat an event.
    func admit(_ p: TopicPartition, offset: Int64) -> Bool {
        if shared.withLock({ $0.paused[p] != nil }) { return false }
        guard let next = chain.next(p), offset < next, let w = watermarks(p, query: true), w.high < next else {
            return true
        }
        pause(OffsetRegression(partition: p, stored: next, brokerEnd: w.high))
        return false
    }

    /// librdkafka reset a partition's fetch position (the requested offset was out of range):
    /// below the stored position is a regression; above it (retention removed records not yet
    /// consumed) is reported by librdkafka's own error line.
    func offsetReset(_ msg: rd_kafka_message_t) {
        guard let rkt = msg.rkt else { return }
        let p = RdKafka.key(String(cString: rd_kafka_topic_name(rkt)), msg.partition)
        guard let next = chain.next(p), let w = watermarks(p, query: true), w.high < next else { return }
        pause(OffsetRegression(partition: p, stored: next, brokerEnd: w.high))
    }

    /// Every 5 s: an assigned partition whose high watermark is below its expected position is
    /// paused; a paused one whose stored position was reset (to at most the broker's end, or
    /// removed) is consumed again from it.
    func checkWatermarks() {
        for p in chain.assigned.sorted() where shared.withLock({ $0.paused[p] == nil }) {
            guard let next = chain.next(p), let w = watermarks(p, query: false), w.high >= 0, w.high < next else {
                continue
            }
            pause(OffsetRegression(partition: p, stored: next, brokerEnd: w.high))
        }
        // a reset position is below the one paused at and within the broker's log (batches in
        // flight when it paused have committed within 10 s: their positions are not a reset)
        let paused = shared.withLock { $0.paused.values.filter { Date().timeIntervalSince($0.since) >= 10 } }
        guard !paused.isEmpty, let stored = positions() else { return }
        let cleared = paused.filter { r in
            guard let s = stored[r.partition] else { return true }
            return s < r.stored && s <= (watermarks(r.partition, query: true)?.high ?? r.brokerEnd)
        }
        guard !cleared.isEmpty else { return }
        shared.withLock { s in for r in cleared { s.paused[r.partition] = nil } }
        EngineMetrics.pausedPartitions(shared.withLock { $0.paused.count })
        reassign()
        setPaused(cleared.map(\.partition), false)
        for r in cleared { logger.warning("kafka: \(r.partition): the stored position was reset; consuming again") }
    }

    private func pause(_ r: OffsetRegression) {
        let n = shared.withLock { s -> Int in
            s.paused[r.partition] = r
            return s.paused.count
        }
        setPaused([r.partition], true)
        EngineMetrics.offsetRegression(topic: r.partition.topic)
        EngineMetrics.pausedPartitions(n)
        let action = "bpm kafka reset --store … --group \(group) --topic \(r.partition.topic) (docs/operations.md)"
        logger.error("kafka: \(r); not consuming \(r.partition) until its position is reset: \(action)")
    }

    func setPaused(_ partitions: [TopicPartition], _ paused: Bool) {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for p in partitions { rd_kafka_topic_partition_list_add(list, p.topic, p.partition) }
        _ = paused ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list)
    }

    /// A partition's low and high watermarks: librdkafka's cached ones (from fetch responses),
    /// or (`query`) asked of the broker (at most 2 s).
    private func watermarks(_ p: TopicPartition, query: Bool) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err =
            query
            ? rd_kafka_query_watermark_offsets(rk, p.topic, p.partition, &low, &high, 2000)
            : rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &low, &high)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? (low, high) : nil
    }
}
