import ArgumentParser
import BPMStore
import Foundation
import Logging

/// `bpm kafka`: operator actions on the engine's Kafka consumer positions.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Operator actions on the Kafka positions stored with the engine's state.",
        subcommands: [KafkaPositions.self, KafkaReset.self]
    )
}

/// `bpm kafka positions`: the stored positions of a consumer group.
struct KafkaPositions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positions",
        abstract: "List the stored positions (next offset per partition) of a consumer group."
    )

    @Option(help: "The engine's store: sqlite:PATH or postgres://….")
    var store: String = ProcessInfo.processInfo.environment["BPM_STORE"] ?? "sqlite:data/bpm.sqlite"

    @Option(help: "The consumer group (bpm serve --kafka-group).")
    var group: String = ProcessInfo.processInfo.environment["BPM_KAFKA_GROUP"] ?? "bpm"

    func run() async throws {
        let s = try openStore(store)
        for o in try await s.consumerOffsets(group: group).sorted(by: { $0.key < $1.key }) {
            print("\(o.topic)/\(o.partition)\t\(o.next)")
        }
    }
}

/// `bpm kafka reset`: sets stored positions after a topic was recreated.
struct KafkaReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Set the stored positions of a topic (after it was recreated) so the engine consumes it again.",
        discussion: """
            When a topic is deleted and created again, its offsets start at 0 again while the engine's
            stored positions are higher: the engine pauses those partitions (log, /health/ready,
            bpm_kafka_partitions_paused) rather than skip or replay records. After checking what the
            new topic holds, reset the positions: --to 0 (the default) consumes the new topic from its
            beginning. Running engines pick the new positions up within seconds. Exit 1 when the group
            has no stored position on the topic.
            """
    )

    @Option(help: "The engine's store: sqlite:PATH or postgres://….")
    var store: String = ProcessInfo.processInfo.environment["BPM_STORE"] ?? "sqlite:data/bpm.sqlite"

    @Option(help: "The consumer group (bpm serve --kafka-group).")
    var group: String = ProcessInfo.processInfo.environment["BPM_KAFKA_GROUP"] ?? "bpm"

    @Option(help: "The topic whose positions to set.")
    var topic: String

    @Option(help: "One partition (default: every partition of the topic).")
    var partition: Int32?

    @Option(help: "The next offset to consume.")
    var to: Int64 = 0

    func validate() throws {
        guard to >= 0 else { throw ValidationError("--to must be 0 or more") }
        if let partition, partition < 0 { throw ValidationError("--partition must be 0 or more") }
    }

    func run() async throws {
        let s = try openStore(store)
        let n = try await s.resetConsumerOffsets(group: group, topic: topic, partition: partition, to: to)
        guard n > 0 else {
            printError("group \(group) has no stored position on \(topic)\(partition.map { "/\($0)" } ?? "")")
            throw ExitCode(1)
        }
        print("\(n) position(s) of group \(group) on \(topic) set to \(to)")
    }
}
