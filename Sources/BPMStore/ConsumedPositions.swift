import Foundation

// The consumed-positions protocol: how a Kafka record's effect and its position are committed
// together, so a crash or a rebalance neither skips nor repeats a record.
//
// 1. The consumer (`PartitionChain`) starts each assigned partition at the position stored
//    with the engine's state and gives every record the position it follows (`expected`).
// 2. A batch records each consumed record (`ConsumedPositions.record`): the first record of
//    a partition fixes the stored position the batch expects, later ones move the new
//    position on (`OffsetWrite`).
// 3. The store writes the new positions in the batch's transaction, only when every
//    partition's stored position is the expected one (`ConsumedPositions.firstConflict`);
//    else nothing is written (`StoreError.offsetConflict`).
// 4. After the commit the consumer learns which positions are now stored (hints for Kafka's
//    own committed offsets) and, when a batch failed, starts its partitions again from the
//    stored positions (`ConsumedPositions.outcome`).

/// A partition of a topic: the key of every consumed position.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic/partition`.
    public var description: String { "\(topic)/\(partition)" }

    public static func < (a: TopicPartition, b: TopicPartition) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }
}

/// A record consumed from a Kafka partition, and the stored position it follows: the
/// offset after the previous record the consumer delivered from the partition, or where
/// the partition was assigned from (nil: no position was stored yet).
public struct ConsumedOffset: Sendable, Hashable {
    public var group: String
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var expected: Int64?
    /// The consumer's assignment generation the record was fetched in.
    public var epoch: Int

    public init(group: String, topic: String, partition: Int32, offset: Int64, expected: Int64?, epoch: Int = 0) {
        self.group = group
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.expected = expected
        self.epoch = epoch
    }

    /// The record's partition.
    public var key: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// A partition's new stored position (the next offset to consume), written only if the
/// stored one is `expected` (nil: none stored).
public struct OffsetWrite: Sendable, Equatable {
    public var group: String
    public var topic: String
    public var partition: Int32
    public var expected: Int64?
    public var next: Int64

    public init(group: String, topic: String, partition: Int32, expected: Int64?, next: Int64) {
        self.group = group
        self.topic = topic
        self.partition = partition
        self.expected = expected
        self.next = next
    }

    /// The partition written.
    public var key: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// A stored consumer position: the next offset to consume from a partition.
public struct StoredOffset: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var next: Int64

    public init(topic: String, partition: Int32, next: Int64) {
        self.topic = topic
        self.partition = partition
        self.next = next
    }

    /// The partition.
    public var key: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// The batch, store and commit-outcome steps of the protocol (see the top of this file).
public enum ConsumedPositions {
    /// Step 2: records a consumed record in a batch's position writes.
    public static func record(_ o: ConsumedOffset, in writes: inout [OffsetWrite]) {
        if let i = writes.firstIndex(where: { $0.group == o.group && $0.topic == o.topic && $0.partition == o.partition }) {
            writes[i].next = max(writes[i].next, o.offset + 1)
        } else {
            writes.append(OffsetWrite(group: o.group, topic: o.topic, partition: o.partition, expected: o.expected,
                                      next: o.offset + 1))
        }
    }

    /// Step 3: the first write whose partition's stored position (absent: none stored) is not
    /// the one it expects; nil when all may be written.
    public static func firstConflict(_ writes: [OffsetWrite], stored: [TopicPartition: Int64]) -> OffsetWrite? {
        writes.first { stored[$0.key] != $0.expected }
    }

    /// Stored positions by partition (the larger, should one be listed twice).
    public static func byPartition(_ stored: [StoredOffset]) -> [TopicPartition: Int64] {
        Dictionary(stored.map { ($0.key, $0.next) }, uniquingKeysWith: max)
    }

    /// What a batch's commit means for its consumer.
    public struct Outcome: Sendable, Equatable {
        /// Positions now stored, per partition (the next offset to consume).
        public var stored: [TopicPartition: Int64] = [:]
        /// The latest assignment generation with a record that was not committed: its
        /// partitions start again from their stored positions (nil: every record committed).
        public var rewindEpoch: Int?
    }

    /// Step 4: the outcome of committing records, given for each whether it was committed.
    public static func outcome(_ records: [ConsumedOffset], committed: [Bool]) -> Outcome {
        var out = Outcome()
        for (o, ok) in zip(records, committed) {
            if ok {
                out.stored[o.key] = max(out.stored[o.key] ?? 0, o.offset + 1)
            } else {
                out.rewindEpoch = max(out.rewindEpoch ?? o.epoch, o.epoch)
            }
        }
        return out
    }
}

/// Step 1, the consumer's side: for each assigned partition, the position the next record
/// it delivers follows.
public struct PartitionChain: Sendable {
    /// Assigned partitions → the position the next record follows (nil: none stored).
    private var expected: [TopicPartition: Int64?] = [:]

    public init() {}

    /// The partitions assigned now.
    public var assigned: Set<TopicPartition> { Set(expected.keys) }

    /// Assigns partitions from their stored positions; returns each one's start (nil: none
    /// stored, start where Kafka's own committed offset says).
    public mutating func assign(_ partitions: [TopicPartition], stored: [TopicPartition: Int64]) -> [TopicPartition: Int64?] {
        expected = [:]
        for p in partitions { expected[p] = .some(stored[p]) }
        return expected
    }

    /// Forgets every assignment (partitions revoked).
    public mutating func revoke() { expected = [:] }

    /// Whether a partition is assigned.
    public func isAssigned(_ p: TopicPartition) -> Bool { expected[p] != nil }

    /// The position the next record of an assigned partition follows (nil: not assigned, or
    /// no position stored and nothing consumed yet).
    public func next(_ p: TopicPartition) -> Int64? { expected[p] ?? nil }

    /// A record fetched from a partition: the position it follows, and the chain moves past
    /// it; `.none` when the partition is no longer assigned (the record is dropped, and
    /// fetched again by whoever has it now).
    public mutating func follow(_ p: TopicPartition, offset: Int64) -> Int64?? {
        guard let e = expected[p] else { return .none }
        expected[p] = .some(offset + 1)
        return .some(e)
    }
}
