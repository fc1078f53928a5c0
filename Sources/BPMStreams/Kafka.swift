import BPMStore
import BPMRuntime
import CRdKafka
import Foundation
import Logging

/// How to reach a Kafka-protocol cluster (Redpanda, Kafka): the bootstrap brokers and any
/// librdkafka properties, passed through as given (`security.protocol`, `sasl.mechanisms`,
/// `sasl.username`, `ssl.ca.location`, `session.timeout.ms`, …).
public struct KafkaSettings: Sendable {
    public var brokers: String
    public var properties: [String: String]

    public init(brokers: String, properties: [String: String] = [:]) {
        self.brokers = brokers
        self.properties = properties
    }

    func pairs(_ defaults: [(String, String)]) -> [(String, String)] {
        [("bootstrap.servers", brokers)] + defaults.filter { properties[$0.0] == nil } + properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

enum RdKafka {
    static func conf(_ pairs: [(String, String)]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError("librdkafka: cannot create a configuration") }
        var err = [CChar](repeating: 0, count: 512)
        for (k, v) in pairs where rd_kafka_conf_set(conf, k, v, &err, err.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("librdkafka property \(k)=\(v): \(RdKafka.text(err))")
        }
        rd_kafka_conf_set_log_cb(conf) { @Sendable _, level, facility, message in
            RdKafkaLog.shared.log(level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        }
        return conf
    }

    static func text(_ e: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2str(e)) }

    /// The text librdkafka wrote into an error buffer (up to its terminating zero).
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func key(_ topic: String, _ partition: Int32) -> TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// librdkafka's own log lines, through swift-log instead of straight to stderr, and each kind
/// at most once a minute: a broker that is down makes librdkafka report every reconnect
/// attempt (many a second), which would bury everything else in the log.
final class RdKafkaLog: @unchecked Sendable {
    static let shared = RdKafkaLog()
    let logger = Logger(label: "bpm.kafka.librdkafka")
    private let lock = NSLock()
    private var last: [String: (at: Date, suppressed: Int)] = [:]

    func log(level: Int32, facility: String, message: String) {
        // one kind: the text without its numbers (timings, counts, ids differ between repeats)
        let kind = facility + ":" + String(message.unicodeScalars.filter { !CharacterSet.decimalDigits.contains($0) })
        let now = Date()
        let suppressed: Int? = lock.withLock {
            if let l = last[kind], now.timeIntervalSince(l.at) < 60 {
                last[kind] = (l.at, l.suppressed + 1)
                return nil
            }
            if last.count > 1000 { last.removeAll() }
            let n = last[kind]?.suppressed ?? 0
            last[kind] = (now, 0)
            return n
        }
        guard let suppressed else { return }
        let text = "librdkafka \(facility): \(message)" + (suppressed > 0 ? " (and \(suppressed) more like it since)" : "")
        switch level {
        case ...3: logger.error("\(text)")
        case 4: logger.warning("\(text)")
        case 5...6: logger.info("\(text)")
        default: logger.debug("\(text)")
        }
    }
}

/// The librdkafka version this process runs with.
public var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

// MARK: producer

/// A Kafka producer: `send` returns once the broker acknowledged the message (or throws).
/// librdkafka's delivery reports are served by a thread of its own.
public final class KafkaProducer: @unchecked Sendable {
    let rk: OpaquePointer
    private let running = Locked(true)
    private let stopped = DispatchSemaphore(value: 0)

    public init(_ settings: KafkaSettings) throws {
        let conf = try RdKafka.conf(settings.pairs([("linger.ms", "2"), ("message.timeout.ms", "30000"), ("acks", "all")]))
        rd_kafka_conf_set_dr_msg_cb(conf) { @Sendable _, msg, _ in
            guard let msg, let opaque = msg.pointee._private else { return }
            Unmanaged<Delivery>.fromOpaque(opaque).takeRetainedValue().complete(msg.pointee.err)
        }
        var err = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &err, err.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create a Kafka producer: \(RdKafka.text(err))")
        }
        self.rk = rk
        let thread = Thread { [self] in
            while running.withLock({ $0 }) { rd_kafka_poll(self.rk, 100) }
            stopped.signal()
        }
        thread.name = "bpm-kafka-producer"
        thread.start()
    }

    /// Sends one message and waits for the broker's acknowledgement.
    public func send(topic: String, key: String?, value: [UInt8], headers: [(String, String)] = []) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let opaque = Unmanaged.passRetained(Delivery { err in
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    c.resume()
                } else {
                    c.resume(throwing: KafkaError("delivery failed: \(RdKafka.text(err))"))
                }
            }).toOpaque()
            if let error = produce(topic: topic, key: key, value: value, headers: headers, opaque: opaque) {
                Unmanaged<Delivery>.fromOpaque(opaque).release()
                c.resume(throwing: error)
            }
        }
    }

    /// Sends messages in their order — each is queued after the one before it, so librdkafka
    /// keeps that order per partition — and waits for every acknowledgement; throws the first
    /// failure once all were answered.
    public func sendInOrder(_ messages: [(topic: String, key: String?, value: [UInt8], headers: [(String, String)])])
        async throws
    {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let group = DeliveryGroup(count: messages.count, c)
            for (i, m) in messages.enumerated() {
                let opaque = Unmanaged.passRetained(Delivery { group.report($0) }).toOpaque()
                if let error = produce(topic: m.topic, key: m.key, value: m.value, headers: m.headers, opaque: opaque) {
                    Unmanaged<Delivery>.fromOpaque(opaque).release()
                    group.answered(error, count: messages.count - i)
                    return
                }
            }
        }
    }

    /// Sends messages concurrently; throws the first failure once all were answered.
    public func sendAll(_ messages: [(topic: String, key: String?, value: [UInt8], headers: [(String, String)])]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for m in messages { group.addTask { try await self.send(topic: m.topic, key: m.key, value: m.value, headers: m.headers) } }
            try await group.waitForAll()
        }
    }

    private func produce(topic: String, key: String?, value: [UInt8], headers: [(String, String)], opaque: UnsafeMutableRawPointer) -> KafkaError? {
        var owned: [UnsafeMutableRawPointer] = []
        defer { owned.forEach { free($0) } }
        func cstr(_ s: String) -> UnsafeMutablePointer<CChar> {
            let p = strdup(s)!
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        func bytes(_ b: [UInt8]) -> UnsafeMutableRawPointer {
            let p = malloc(max(b.count, 1))!
            b.withUnsafeBytes { if let base = $0.baseAddress { p.copyMemory(from: base, byteCount: b.count) } }
            owned.append(p)
            return p
        }
        var vus: [rd_kafka_vu_t] = []
        func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
            var v = rd_kafka_vu_t()
            v.vtype = type
            set(&v)
            vus.append(v)
        }
        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = UnsafePointer(cstr(topic)) }
        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
        add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = bytes(value); $0.u.mem.size = value.count }
        if let key {
            let k = Array(key.utf8)
            add(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = bytes(k); $0.u.mem.size = k.count }
        }
        for (name, val) in headers {
            let v = Array(val.utf8)
            add(RD_KAFKA_VTYPE_HEADER) {
                $0.u.header.name = UnsafePointer(cstr(name))
                $0.u.header.val = UnsafeRawPointer(bytes(v))
                $0.u.header.size = v.count
            }
        }
        add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
        // a full local queue drains as deliveries are reported: wait a little and try again
        for attempt in 0..<500 {
            guard let error = rd_kafka_produceva(rk, vus, vus.count) else { return nil }
            let code = rd_kafka_error_code(error)
            let text = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            if code != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt == 499 { return KafkaError("cannot produce to \(topic): \(text)") }
            usleep(2000)
        }
        return nil
    }

    /// Waits up to `timeout` seconds for queued messages, then stops.
    public func close(timeout: Double = 5) {
        rd_kafka_flush(rk, Int32(timeout * 1000))
        running.withLock { $0 = false }
        stopped.wait()
        rd_kafka_destroy(rk)
    }
}

/// A message's pending delivery report.
final class Delivery: @unchecked Sendable {
    let done: @Sendable (rd_kafka_resp_err_t) -> Void
    init(_ done: @escaping @Sendable (rd_kafka_resp_err_t) -> Void) { self.done = done }
    func complete(_ err: rd_kafka_resp_err_t) { done(err) }
}

/// The delivery reports of messages sent together: resumes once all were answered.
final class DeliveryGroup: @unchecked Sendable {
    private let state: Locked<(left: Int, error: (any Error)?)>
    private let continuation: CheckedContinuation<Void, any Error>
    init(count: Int, _ c: CheckedContinuation<Void, any Error>) {
        state = Locked((count, nil))
        continuation = c
    }

    func report(_ err: rd_kafka_resp_err_t) {
        let error = err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError("delivery failed: \(RdKafka.text(err))")
        answered(error, count: 1)
    }

    /// `count` messages answered, with `error` (nil: delivered).
    func answered(_ error: (any Error)?, count: Int) {
        let finished: (any Error)?? = state.withLock { s in
            if s.error == nil, let error { s.error = error }
            s.left -= count
            return s.left == 0 ? .some(s.error) : .none
        }
        guard let finished else { return }
        if let e = finished { continuation.resume(throwing: e) } else { continuation.resume() }
    }
}

// MARK: consumer

/// A member of a Kafka consumer group whose positions live in the engine's store, not in
/// Kafka: on every assignment each partition starts at the position stored with the state
/// its last event changed, and every record carries the position it follows, so the store
/// can refuse a batch that would skip or repeat records. Kafka's own committed offsets are
/// only a hint (for tools that show consumer lag).
///
/// librdkafka's poll runs on a thread of its own; records go to `deliver` in batches, which
/// may block that thread (backpressure), never the Swift concurrency pool.
public final class KafkaConsumer: @unchecked Sendable {
    public struct Record: Sendable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var key: [UInt8]?
        public var value: [UInt8]
        public var headers: [(String, String)] = []
        /// The stored position this record follows (nil: none was stored).
        public var expected: Int64?
        /// The assignment generation it was fetched in.
        public var epoch: Int
    }

    let group: String
    let logger: Logger
    /// Reads the stored positions of the group (partition → next offset); nil while the
    /// store cannot be read (asked again).
    let positions: @Sendable () -> [TopicPartition: Int64]?
    let deliver: @Sendable ([Record]) -> Void
    public var maxBatch = 2000
    var rk: OpaquePointer!

    struct Shared {
        var running = true
        var topics: Set<String>?
        var rewind: Int?
        var hints: [TopicPartition: Int64] = [:]
        var epoch = 0
        var assigned: Set<TopicPartition> = []
        /// Whether the last metadata request reached a broker (nil: not asked yet).
        var reachable: Bool?
        /// Partitions not consumed because the broker's offsets went below the stored position.
        var paused: [TopicPartition: OffsetRegression] = [:]
    }
    let shared = Locked(Shared())
    private let stopped = DispatchSemaphore(value: 0)
    // poll thread only
    var chain = PartitionChain()
    private var subscribed: Set<String> = []
    private var epoch = 0
    private var lastError: [String: Date] = [:]
    private var lastProbe = Date.distantPast

    public init(_ settings: KafkaSettings, group: String, logger: Logger, positions: @escaping @Sendable () -> [TopicPartition: Int64]?,
                deliver: @escaping @Sendable ([Record]) -> Void) throws
    {
        self.group = group
        self.logger = logger
        self.positions = positions
        self.deliver = deliver
        let conf = try RdKafka.conf(settings.pairs([
            ("group.id", group), ("enable.auto.commit", "true"), ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"), ("partition.assignment.strategy", "range,roundrobin"),
            ("topic.metadata.refresh.interval.ms", "5000"),
            // librdkafka's prefetch per partition (default 64 MiB): what the engine has not taken
            // yet waits at the broker, not in memory. 16 MiB keeps a fetch in flight while the
            // engine works through the last one; at 8 MiB the consumer stopped and waited for
            // each fetch (filtered intake 94k events/s against 149k–217k at 16 MiB)
            ("queued.max.messages.kbytes", "16384"),
        ]))
        rd_kafka_conf_set_rebalance_cb(conf) { @Sendable rk, err, partitions, opaque in
            guard let rk, let partitions, let opaque else { return }
            Unmanaged<KafkaConsumer>.fromOpaque(opaque).takeUnretainedValue().rebalance(rk, err, partitions)
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        var err = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &err, err.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create a Kafka consumer: \(RdKafka.text(err))")
        }
        self.rk = rk
        rd_kafka_poll_set_consumer(rk)
    }

    /// Starts polling on a thread of its own.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "bpm-kafka-consumer"
        thread.start()
    }

    /// The topics to consume (applied by the poll thread).
    public func subscribe(_ topics: Set<String>) { shared.withLock { $0.topics = topics } }

    /// Asks the poll thread to start every assigned partition again from its stored position
    /// (after records of generation `epoch` could not be committed); later generations have
    /// already started again.
    public func rewind(epoch: Int) { shared.withLock { if epoch == $0.epoch { $0.rewind = epoch } } }

    /// Positions committed to the store, passed to Kafka as a hint.
    public func committed(_ stored: [TopicPartition: Int64]) {
        shared.withLock { s in s.hints.merge(stored) { max($0, $1) } }
    }

    /// Whether a broker answered the last metadata request (every 5 s; nil before the first).
    public var brokersReachable: Bool? { shared.withLock { $0.reachable } }

    /// The partitions assigned now ("topic/partition").
    public var assignment: [String] { shared.withLock { $0.assigned.sorted().map(\.description) } }

    /// Leaves the group and stops the poll thread.
    public func stop() {
        guard shared.withLock({ s -> Bool in let was = s.running; s.running = false; return was }) else { return }
        stopped.wait()
    }

    private func loop() {
        while true {
            let (running, topics, rewind, hints) = shared.withLock { s in
                defer { s.topics = nil; s.rewind = nil; s.hints = [:] }
                return (s.running, s.topics, s.rewind, s.hints)
            }
            guard running else { break }
            if let topics, topics != subscribed { applySubscription(topics) }
            if rewind != nil, rewind == epoch { reassign() }
            if !hints.isEmpty { storeHints(hints) }
            if Date().timeIntervalSince(lastProbe) >= 5 {
                probe()
                checkWatermarks()
            }
            var batch: [Record] = []
            var timeout: Int32 = 100
            while batch.count < maxBatch, let m = rd_kafka_consumer_poll(rk, timeout) {
                timeout = 0
                defer { rd_kafka_message_destroy(m) }
                let msg = m.pointee
                if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    if msg.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET { offsetReset(msg) }
                    if msg.err != RD_KAFKA_RESP_ERR__PARTITION_EOF { report(msg) }
                    continue
                }
                let topic = String(cString: rd_kafka_topic_name(msg.rkt))
                guard admit(RdKafka.key(topic, msg.partition), offset: msg.offset) else { continue }
                // a partition no longer assigned: dropped (fetched again by whoever has it now)
                guard let expected = chain.follow(RdKafka.key(topic, msg.partition), offset: msg.offset) else { continue }
                let value = msg.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: msg.len)) } ?? []
                let key = msg.key.map { Array(UnsafeRawBufferPointer(start: $0, count: msg.key_len)) }
                batch.append(Record(topic: topic, partition: msg.partition, offset: msg.offset, key: key, value: value, headers: Self.headers(m),
                                    expected: expected, epoch: epoch))
            }
            if !batch.isEmpty { deliver(batch) }
        }
        rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
        stopped.signal()
    }

    static func headers(_ m: UnsafeMutablePointer<rd_kafka_message_t>) -> [(String, String)] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var out: [(String, String)] = []
        var i = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            if let name { out.append((String(cString: name), value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: size), as: UTF8.self) } ?? "")) }
            i += 1
        }
        return out
    }

    /// Asks a broker for cluster metadata (no topics): whether the cluster can be reached.
    private func probe() {
        lastProbe = Date()
        var md: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 0, nil, &md, 2000)
        if let md { rd_kafka_metadata_destroy(md) }
        let ok = err == RD_KAFKA_RESP_ERR_NO_ERROR
        shared.withLock { $0.reachable = ok }
    }

    private func applySubscription(_ topics: Set<String>) {
        subscribed = topics
        if topics.isEmpty {
            rd_kafka_unsubscribe(rk)
            return
        }
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for t in topics.sorted() { rd_kafka_topic_partition_list_add(list, t, RD_KAFKA_PARTITION_UA) }
        let err = rd_kafka_subscribe(rk, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("kafka: cannot subscribe to \(topics.sorted()): \(RdKafka.text(err))") } else {
            logger.info("kafka: consuming \(topics.sorted().joined(separator: ", ")) as group \(group)")
        }
    }

    /// Sets each partition of `list` to its stored position and assigns them.
    private func assign(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        var stored: [TopicPartition: Int64]?
        var waited = 0
        while stored == nil {
            stored = positions()
            if stored == nil {
                if waited % 20 == 0 { logger.warning("kafka: the store cannot be read for consumer positions; waiting") }
                waited += 1
                usleep(250_000)
            }
        }
        epoch += 1
        let partitions = (0..<Int(list.pointee.cnt)).map {
            RdKafka.key(String(cString: list.pointee.elems[$0].topic), list.pointee.elems[$0].partition)
        }
        let starts = chain.assign(partitions, stored: stored ?? [:])
        for (i, p) in partitions.enumerated() {
            // no stored position: where Kafka's own committed offset says
            list.pointee.elems[i].offset = (starts[p] ?? nil) ?? Int64(RD_KAFKA_OFFSET_STORED)
        }
        let assigned = chain.assigned
        let err = rd_kafka_assign(rk, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("kafka: assignment failed: \(RdKafka.text(err))") }
        // partitions paused for an offset regression stay paused until their position is reset
        let still = shared.withLock { Array($0.paused.keys) }.filter(assigned.contains)
        if !still.isEmpty { setPaused(still, true) }
        let e = epoch
        shared.withLock { $0.epoch = e; $0.assigned = assigned }
        logger.info("kafka: assigned \(assigned.count) partition(s) from stored positions (generation \(epoch))")
    }

    fileprivate func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            assign(partitions)
        } else {
            epoch += 1
            chain.revoke()
            let e = epoch
            shared.withLock { $0.epoch = e; $0.assigned = []; $0.paused = [:] }
            EngineMetrics.pausedPartitions(0)
            rd_kafka_assign(rk, nil)
            logger.info("kafka: partitions revoked (generation \(epoch))")
        }
    }

    /// Starts every assigned partition again from its stored position.
    func reassign() {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(rk, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        logger.info("kafka: starting again from the stored positions after a batch was not committed")
        assign(list)
    }

    private func storeHints(_ hints: [TopicPartition: Int64]) {
        let list = rd_kafka_topic_partition_list_new(Int32(hints.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (p, next) in hints where chain.isAssigned(p) {
            rd_kafka_topic_partition_list_add(list, p.topic, p.partition).pointee.offset = next
        }
        if list.pointee.cnt > 0 { _ = rd_kafka_offsets_store(rk, list) }
    }

    /// Logs a consumer error, at most once a minute per kind.
    private func report(_ msg: rd_kafka_message_t) {
        let text = RdKafka.text(msg.err)
        let now = Date()
        if let last = lastError[text], now.timeIntervalSince(last) < 60 { return }
        lastError[text] = now
        var detail = ""
        if let p = msg.payload { detail = String(decoding: UnsafeRawBufferPointer(start: p, count: msg.len), as: UTF8.self) }
        logger.warning("kafka: \(text)\(detail.isEmpty ? "" : ": \(detail)")")
    }
}
