import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Logging

/// The engine's event router on Kafka/Redpanda: one consumer-group member subscribed to
/// every topic a deployed definition triggers on or takes messages from (followed as
/// definitions come and go). Each batch of records is decoded off the engine, bad events go
/// to the dead-letter topic, and the rest are handed to the runtime, which commits each
/// event's effect with its position. A batch that cannot be committed makes the consumer
/// start again from the stored positions, so nothing is skipped and nothing applied twice.
public final class KafkaIntake: @unchecked Sendable {
    let runtime: Runtime
    let group: String
    let deadLetters: DeadLetters
    let logger: Logger
    private var consumer: KafkaConsumer!
    private let stream: AsyncStream<[KafkaConsumer.Record]>
    private let feed: AsyncStream<[KafkaConsumer.Record]>.Continuation
    /// Batches handed over but not yet committed (the poll thread waits beyond this).
    private let slots = DispatchSemaphore(value: 8)
    private var tasks: [Task<Void, Never>] = []
    /// How often the subscription follows deployed definitions (seconds).
    public var topicRefresh: Double = 2

    public init(runtime: Runtime, settings: KafkaSettings, group: String, deadLetters: DeadLetters, logger: Logger = Logger(label: "bpm.kafka")) throws {
        self.runtime = runtime
        self.group = group
        self.deadLetters = deadLetters
        self.logger = logger
        (stream, feed) = AsyncStream.makeStream(of: [KafkaConsumer.Record].self)
        let store = runtime.store
        consumer = try KafkaConsumer(settings, group: group, logger: logger, positions: {
            Self.blocking { try await store.consumerOffsets(group: group) }.map(ConsumedPositions.byPartition)
        }, deliver: { [slots, feed] records in
            slots.wait()
            feed.yield(records)
        })
    }

    /// Runs an async call from a thread outside the concurrency pool and waits for it; nil if it threw.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<T?>(nil)
        Task {
            let r = try? await body()
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }

    /// Subscribes and starts consuming.
    public func start() async {
        consumer.subscribe(await runtime.registry.kafkaTopics)
        consumer.start()
        tasks.append(Task { [self] in
            for await batch in stream { await handle(batch) }
        })
        tasks.append(Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(topicRefresh * 1e9))
                consumer.subscribe(await runtime.registry.kafkaTopics)
            }
        })
    }

    /// Leaves the group; events handed over are committed first.
    /// Stops consuming; by default also waits until the engine has committed what was handed
    /// to it (a shutdown leaves that to the engine's own stop).
    public func stop(waitForEngine: Bool = true) async {
        tasks.forEach { $0.cancel() }
        consumer.stop()
        feed.finish()
        if waitForEngine { await runtime.waitIdle() }
    }

    /// Whether the Kafka cluster answered lately (nil: not asked yet).
    public var brokersReachable: Bool? { consumer.brokersReachable }

    /// The partitions paused because the broker's offsets went below their stored positions.
    public var regressions: [OffsetRegression] { consumer.regressions }

    /// The partitions this member consumes now ("topic/partition").
    public var assignment: [String] { consumer.assignment }

    func handle(_ records: [KafkaConsumer.Record]) async {
        let registry = await runtime.registry
        var items: [IntakeItem] = []
        items.reserveCapacity(records.count)
        var offsets: [ConsumedOffset] = []
        offsets.reserveCapacity(records.count)
        var bad: [(KafkaConsumer.Record, EventProblem)] = []
        for r in records {
            let offset = ConsumedOffset(group: group, topic: r.topic, partition: r.partition, offset: r.offset, expected: r.expected, epoch: r.epoch)
            offsets.append(offset)
            switch EventDecoder.decode(r.value, topic: r.topic, registry: registry) {
            case .success(let value):
                items.append(.event(IntakeEvent(value: value, topic: r.topic, offset: offset)))
            case .failure(let problem):
                bad.append((r, problem))
                items.append(.consumed(offset))
            }
        }
        if !bad.isEmpty {
            await withTaskGroup(of: Void.self) { group in
                for (r, problem) in bad {
                    group.addTask { [deadLetters] in
                        await deadLetters.setAside(r.value, key: r.key, topic: r.topic, problem: problem, origin: "\(r.topic)/\(r.partition)@\(r.offset)")
                    }
                }
            }
        }
        let consumer = self.consumer!
        let slots = self.slots
        let positions = offsets
        await runtime.ingest(items) { results in
            let outcome = ConsumedPositions.outcome(positions, committed: results.map { if case .success = $0 { true } else { false } })
            if let e = outcome.rewindEpoch { consumer.rewind(epoch: e) }
            consumer.committed(outcome.stored)
            slots.signal()
        }
    }
}

/// Where bad events go: counted per topic and reason, logged once per topic and reason a
/// minute, and — with a dead-letter topic — forwarded there unchanged, with the reason, the
/// detail and where it came from in headers (`bpm-error-reason`, `bpm-error-detail`,
/// `bpm-source-topic`, `bpm-source`). Forwarding is retried until the broker takes it: the
/// event's position is stored only after that.
public actor DeadLetters {
    let producer: KafkaProducer?
    let topic: String?
    let logger: Logger
    var lastLogged: [String: Date] = [:]
    var suppressed: [String: Int] = [:]
    public private(set) var count = 0

    public init(producer: KafkaProducer?, topic: String?, logger: Logger = Logger(label: "bpm.dead-letter")) {
        self.producer = producer
        self.topic = topic
        self.logger = logger
    }

    public func setAside(_ payload: [UInt8], key: [UInt8]?, topic source: String, problem: EventProblem, origin: String) async {
        count += 1
        EngineMetrics.deadLettered(topic: source, reason: problem.reason)
        let kind = "\(source)\u{1}\(problem.reason)"
        let now = Date()
        if let last = lastLogged[kind], now.timeIntervalSince(last) < 60 {
            suppressed[kind, default: 0] += 1
        } else {
            let more = suppressed[kind].map { " (and \($0) more since the last report)" } ?? ""
            suppressed[kind] = nil
            lastLogged[kind] = now
            logger.warning("bad event on \(source) set aside (\(problem.reason)): \(problem.detail) at \(origin)\(more)",
                           metadata: ["topic": "\(source)", "reason": "\(problem.reason)"])
        }
        guard let producer, let topic else { return }
        let headers = [("bpm-error-reason", problem.reason), ("bpm-error-detail", problem.detail), ("bpm-source-topic", source), ("bpm-source", origin)]
        var delay: UInt64 = 100_000_000
        while true {
            do {
                try await producer.send(topic: topic, key: key.map { String(decoding: $0, as: UTF8.self) }, value: payload, headers: headers)
                return
            } catch {
                logger.error("cannot forward a bad event to \(topic): \(error); trying again")
                try? await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 5_000_000_000)
            }
        }
    }
}
