import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import CMosquitto
import Foundation
import Logging

/// How to reach an MQTT broker: `mqtt://[user:password@]host[:port]` (or `mqtts://` for TLS
/// with the system's CA certificates), and options passed to libmosquitto: `cafile`,
/// `capath`, `certfile`, `keyfile`, `username`, `password`, `client_id`, `keepalive`.
public struct MQTTSettings: Sendable {
    public var host: String
    public var port: Int
    public var tls: Bool
    public var options: [String: String]

    public init(url: String, options: [String: String] = [:]) throws {
        guard let u = URLComponents(string: url), let scheme = u.scheme, ["mqtt", "mqtts", "tcp", "ssl"].contains(scheme), let host = u.host, !host.isEmpty else {
            throw MQTTError("an MQTT URL looks like mqtt://host:1883 or mqtts://user:password@host:8883, not '\(url)'")
        }
        self.host = host
        tls = scheme == "mqtts" || scheme == "ssl"
        port = u.port ?? (tls ? 8883 : 1883)
        var o = options
        if let user = u.user, o["username"] == nil { o["username"] = user.removingPercentEncoding ?? user }
        if let pw = u.password, o["password"] == nil { o["password"] = pw.removingPercentEncoding ?? pw }
        self.options = o
    }
}

public struct MQTTError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// An MQTT 5 client over libmosquitto: its network loop runs on libmosquitto's own thread,
/// reconnecting with exponential backoff (1 s up to 60 s) and subscribing again after each
/// connect. Publishing with QoS 1 or 2 returns once the broker acknowledged.
public final class MQTTClient: @unchecked Sendable {
    private let mosq: OpaquePointer
    let settings: MQTTSettings
    let logger: Logger
    private struct State {
        var connected = false
        var filters: Set<String> = []
        var acks: [Int32: CheckedContinuation<Void, any Error>] = [:]
        var everConnected = false
    }
    private let state = Locked(State())
    /// Called on libmosquitto's thread for each message received.
    private let onMessage: (@Sendable (String, [UInt8]) -> Void)?

    public init(_ settings: MQTTSettings, logger: Logger = Logger(label: "bpm.mqtt"), onMessage: (@Sendable (String, [UInt8]) -> Void)? = nil) throws {
        mosquitto_lib_init()
        self.settings = settings
        self.logger = logger
        self.onMessage = onMessage
        let id = settings.options["client_id"] ?? "bpm-\(UInt32.random(in: 0...UInt32.max))"
        guard let m = mosquitto_new(id, true, nil) else { throw MQTTError("cannot create an MQTT client") }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V5))
        if let user = settings.options["username"] { mosquitto_username_pw_set(m, user, settings.options["password"]) }
        if settings.tls || settings.options["cafile"] != nil || settings.options["capath"] != nil {
            let ca = settings.options["cafile"] ?? (settings.options["capath"] == nil ? "/etc/ssl/certs/ca-certificates.crt" : nil)
            let rc = mosquitto_tls_set(m, ca, settings.options["capath"], settings.options["certfile"], settings.options["keyfile"], nil)
            if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError("MQTT TLS settings: \(String(cString: mosquitto_strerror(rc)))") }
        }
        mosquitto_reconnect_delay_set(m, 1, 60, true)
        mosquitto_connect_v5_callback_set(m) { @Sendable _, obj, rc, _, _ in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().connected(rc)
        }
        mosquitto_disconnect_v5_callback_set(m) { @Sendable _, obj, rc, _ in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().disconnected(rc)
        }
        mosquitto_publish_v5_callback_set(m) { @Sendable _, obj, mid, reason, _ in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().acknowledged(mid, reason)
        }
        mosquitto_message_v5_callback_set(m) { @Sendable _, obj, msg, _ in
            guard let obj, let msg else { return }
            let topic = String(cString: msg.pointee.topic)
            let payload = msg.pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(msg.pointee.payloadlen))) } ?? []
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().onMessage?(topic, payload)
        }
    }

    /// Connects (in the background: a broker that is down is retried with backoff).
    public func start() throws {
        let keepalive = Int32(settings.options["keepalive"].flatMap(Int.init) ?? 30)
        let rc = mosquitto_connect_async(mosq, settings.host, Int32(settings.port), keepalive)
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            logger.warning("mqtt: cannot connect to \(settings.host):\(settings.port) yet (\(String(cString: mosquitto_strerror(rc)))); retrying")
        }
        let lrc = mosquitto_loop_start(mosq)
        if lrc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError("mqtt: cannot start the network loop: \(String(cString: mosquitto_strerror(lrc)))") }
    }

    public func stop() {
        mosquitto_disconnect(mosq)
        mosquitto_loop_stop(mosq, false)
        let pending = state.withLock { s in defer { s.acks = [:] }; return Array(s.acks.values) }
        for c in pending { c.resume(throwing: MQTTError("the MQTT client stopped")) }
        mosquitto_destroy(mosq)
    }

    public var isConnected: Bool { state.withLock { $0.connected } }

    /// The topic filters to be subscribed to (QoS 1), now and after every reconnect.
    public func subscribe(_ filters: Set<String>) {
        let (added, removed, connected) = state.withLock { s -> (Set<String>, Set<String>, Bool) in
            let a = filters.subtracting(s.filters), r = s.filters.subtracting(filters)
            s.filters = filters
            return (a, r, s.connected)
        }
        guard connected else { return }
        for f in added.sorted() { mosquitto_subscribe(mosq, nil, f, 1) }
        for f in removed.sorted() { mosquitto_unsubscribe(mosq, nil, f) }
        if !added.isEmpty { logger.info("mqtt: subscribed to \(added.sorted().joined(separator: ", "))") }
    }

    /// Publishes a message; with QoS 1 or 2, waits for the broker's acknowledgement (at most
    /// `timeout` seconds). User properties travel as MQTT 5 user properties.
    public func publish(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false, properties: [(String, String)] = [], timeout: Double = 30) async throws {
        var props: OpaquePointer?
        defer { mosquitto_property_free_all(&props) }
        for (k, v) in properties { mosquitto_property_add_string_pair(&props, Int32(MQTT_PROP_USER_PROPERTY.rawValue), k, v) }
        let propsCopy = props
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            var mid: Int32 = 0
            // the lock is held across the call: the acknowledgement cannot be looked up before it is registered
            let rc: Int32 = state.withLock { s in
                let rc = payload.withUnsafeBytes { buf in
                    mosquitto_publish_v5(mosq, &mid, topic, Int32(payload.count), buf.baseAddress, Int32(qos), retain, propsCopy)
                }
                if rc == MOSQ_ERR_SUCCESS.rawValue, qos > 0 { s.acks[mid] = c }
                return rc
            }
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                c.resume(throwing: MQTTError("cannot publish to \(topic): \(String(cString: mosquitto_strerror(rc)))"))
            } else if qos == 0 {
                c.resume()
            } else {
                let m = mid
                Task { [state] in
                    try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                    state.withLock { $0.acks.removeValue(forKey: m) }?.resume(throwing: MQTTError("no acknowledgement for a message to \(topic) within \(Int(timeout)) s"))
                }
            }
        }
    }

    fileprivate func connected(_ rc: Int32) {
        guard rc == 0 else {
            logger.warning("mqtt: connection to \(settings.host):\(settings.port) refused: \(String(cString: mosquitto_connack_string(rc)))")
            return
        }
        let (filters, again) = state.withLock { s -> (Set<String>, Bool) in
            let again = s.everConnected
            s.connected = true
            s.everConnected = true
            return (s.filters, again)
        }
        logger.info("mqtt: \(again ? "reconnected" : "connected") to \(settings.host):\(settings.port)")
        for f in filters.sorted() { mosquitto_subscribe(mosq, nil, f, 1) }
    }

    fileprivate func disconnected(_ rc: Int32) {
        state.withLock { $0.connected = false }
        if rc != 0 { logger.warning("mqtt: disconnected from \(settings.host):\(settings.port) (\(String(cString: mosquitto_strerror(rc)))); reconnecting") }
    }

    fileprivate func acknowledged(_ mid: Int32, _ reason: Int32) {
        guard let c = state.withLock({ $0.acks.removeValue(forKey: mid) }) else { return }
        if reason < 128 { c.resume() } else { c.resume(throwing: MQTTError("the broker refused the message (reason code \(reason))")) }
    }
}

/// The plan's `mqtt_publish` action: `topic`, `payload` (an object is sent as JSON, a string
/// as is; `${…}` templates filled in), `qos` (0–2, default 1), `retain` (default false).
/// Each message carries the job id as the MQTT 5 user property `bpm-idempotency-key`: a
/// retry after a failure or a crash sends the same key, so a subscriber can drop repeats.
public struct MQTTPublishConnector: Connector {
    let client: MQTTClient

    public init(client: MQTTClient) { self.client = client }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        guard let (topic, bytes) = publishTarget(job) else {
            return .failed(message: "mqtt_publish needs a 'topic'", retryable: false)
        }
        let qos = job.payload[member: "qos"].doubleValue.map { Int($0) } ?? 1
        guard (0...2).contains(qos) else { return .failed(message: "mqtt_publish: qos must be 0, 1 or 2, not \(qos)", retryable: false) }
        let retain = job.payload[member: "retain"].isTrue
        do {
            try await client.publish(topic: topic, payload: bytes, qos: qos, retain: retain,
                                     properties: [("bpm-idempotency-key", job.id), ("bpm-instance-id", job.instanceId)])
            return .completed([:])
        } catch {
            return .failed(message: "mqtt_publish to \(topic): \(error)", retryable: true)
        }
    }
}

/// MQTT as a trigger source: subscribes to the topic filters of deployed definitions with
/// `source: mqtt` (and message events with `source: mqtt`), following deployments, and hands
/// each message to the engine in arrival order. Bad messages are set aside like Kafka's.
public final class MQTTIntake: @unchecked Sendable {
    let runtime: Runtime
    let deadLetters: DeadLetters
    private var client: MQTTClient!
    private let stream: AsyncStream<(String, [UInt8])>
    private let feed: AsyncStream<(String, [UInt8])>.Continuation
    private var tasks: [Task<Void, Never>] = []
    /// Messages taken from the broker and not yet committed: at the bound, libmosquitto's
    /// network thread waits, so the broker holds (or, past its own queue limit, drops) what
    /// comes next instead of the engine's memory growing while the store is behind.
    static let maxInFlight = 2048
    private let slots = DispatchSemaphore(value: MQTTIntake.maxInFlight)
    private let stopping = Locked(false)

    public init(runtime: Runtime, settings: MQTTSettings, deadLetters: DeadLetters, logger: Logger = Logger(label: "bpm.mqtt")) throws {
        self.runtime = runtime
        self.deadLetters = deadLetters
        (stream, feed) = AsyncStream.makeStream(of: (String, [UInt8]).self, bufferingPolicy: .unbounded)
        client = try MQTTClient(settings, logger: logger) { [feed, slots, stopping] topic, payload in
            while !stopping.withLock({ $0 }) {
                if slots.wait(timeout: .now() + .milliseconds(500)) == .success {
                    feed.yield((topic, payload))
                    return
                }
            }
        }
    }

    public func start() async throws {
        client.subscribe(await runtime.registry.mqttFilters)
        try client.start()
        tasks.append(Task { [self] in
            for await (topic, payload) in stream { await handle(topic, payload) }
        })
        tasks.append(Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 2_000_000_000)
                client.subscribe(await runtime.registry.mqttFilters)
            }
        })
    }

    public func stop() {
        stopping.withLock { $0 = true }
        tasks.forEach { $0.cancel() }
        feed.finish()
        client.stop()
    }

    func handle(_ topic: String, _ payload: [UInt8]) async {
        switch EventDecoder.decode(payload, topic: topic, mqtt: true, registry: await runtime.registry) {
        case .success(let value):
            await runtime.ingest([.event(IntakeEvent(value: value, topic: topic, mqtt: true))]) { [slots] _ in slots.signal() }
        case .failure(let problem):
            await deadLetters.setAside(payload, key: nil, topic: topic, problem: problem, origin: "mqtt:\(topic)")
            slots.signal()
        }
    }
}
