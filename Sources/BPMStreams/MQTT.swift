import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import CMosquitto
import Foundation
import Logging

/// How to reach an MQTT broker: `mqtt://[user:password@]host[:port]` (or `mqtts://` for TLS
/// with the system's CA certificates), and options: `cafile`, `capath`, `certfile`, `keyfile`,
/// `username`, `password` (passed to libmosquitto), `client_id`, `keepalive` (seconds, default
/// 30), `session_expiry` (seconds the broker keeps the intake's session and queues its
/// messages while it is away, default 86400; 0: clean sessions), `share_group` (subscribe as
/// `$share/GROUP/filter`: the broker hands each message to one replica of the group) and
/// `ack_timeout` (seconds a received message waits for its commit before it is acknowledged,
/// default half the keepalive; 0: acknowledged on receipt).
public struct MQTTSettings: Sendable {
    public var host: String
    public var port: Int
    public var tls: Bool
    public var options: [String: String]

    public init(url: String, options: [String: String] = [:]) throws {
        let schemes = ["mqtt", "mqtts", "tcp", "ssl"]
        guard let u = URLComponents(string: url), let scheme = u.scheme, schemes.contains(scheme),
              let host = u.host, !host.isEmpty
        else {
            throw MQTTError("an MQTT URL looks like mqtt://host:1883 or mqtts://user:password@host:8883, not '\(url)'")
        }
        self.host = host
        tls = scheme == "mqtts" || scheme == "ssl"
        port = u.port ?? (tls ? 8883 : 1883)
        var o = options
        if let user = u.user, o["username"] == nil { o["username"] = user.removingPercentEncoding ?? user }
        if let pw = u.password, o["password"] == nil { o["password"] = pw.removingPercentEncoding ?? pw }
        self.options = o
        for name in ["keepalive", "session_expiry", "ack_timeout"] {
            guard let text = o[name] else { continue }
            guard let n = Double(text), n >= 0, n <= Double(UInt32.max) else {
                throw MQTTError("--mqtt-option \(name) takes a number of seconds (0 or more), not '\(text)'")
            }
        }
        if let g = o["share_group"], g.isEmpty || g.contains(where: { "/+#".contains($0) }) {
            throw MQTTError("--mqtt-option share_group takes a name without '/', '+' or '#', not '\(g)'")
        }
    }

    /// The intake's client id: `client_id`, else `bpm-HOST-PORT` (see `defaultClientId`).
    public var clientId: String { options["client_id"] ?? Self.defaultClientId(httpPort: nil) }
    /// Seconds between keepalive pings.
    public var keepalive: Int32 { Int32(options["keepalive"].flatMap(Double.init) ?? 30) }
    /// Seconds the broker keeps the intake's session after a disconnect (0: clean sessions).
    public var sessionExpiry: UInt32 { UInt32(options["session_expiry"].flatMap(Double.init) ?? 86_400) }
    /// Seconds the message callback waits for a message's commit before acknowledging it.
    public var ackTimeout: Double { options["ack_timeout"].flatMap(Double.init) ?? Double(keepalive) / 2 }
    /// The shared-subscription group (nil: a plain subscription per replica).
    public var shareGroup: String? { options["share_group"] }

    /// A client id that stays the same across restarts (so the broker resumes the session) and
    /// differs between replicas: the host name and the HTTP port (replicas on one host listen on
    /// different ports). Without a fixed port (0) the process id stands in: the session is then
    /// not resumed after a restart; set `client_id`.
    public static func defaultClientId(httpPort: Int?) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let tail = httpPort.flatMap { $0 == 0 ? nil : String($0) } ?? "pid\(ProcessInfo.processInfo.processIdentifier)"
        return "bpm-\(host)-\(tail)"
    }

    /// A subscription's filter as sent to the broker (`$share/GROUP/` before it with a group).
    func subscription(_ filter: String) -> String { shareGroup.map { "$share/\($0)/\(filter)" } ?? filter }
}

public struct MQTTError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// An MQTT 5 client over libmosquitto: its network loop runs on a thread of its own,
/// reconnecting with exponential backoff (1 s up to 60 s) and subscribing again after each
/// connect. Publishing with QoS 1 or 2 returns once the broker acknowledged.
///
/// With `persistent`, the client connects with clean start off and the MQTT 5 session expiry
/// interval of its settings: the broker keeps its subscriptions and queues QoS 1 messages for
/// it while it is disconnected, and delivers them when it connects again under the same id.
/// libmosquitto 2.0 queues the PUBACK of a QoS 1 message before calling the message callback
/// and writes it once the callback returned: a callback that waits keeps the message
/// unacknowledged at the broker (redelivered should the process die meanwhile).
public final class MQTTClient: @unchecked Sendable {
    private let mosq: OpaquePointer
    let settings: MQTTSettings
    let logger: Logger
    let persistent: Bool
    private struct State {
        var connected = false
        var filters: Set<String> = []
        var acks: [Int32: CheckedContinuation<Void, any Error>] = [:]
        var everConnected = false
        var stopping = false
    }
    private let state = Locked(State())
    private let loopEnded = DispatchSemaphore(value: 0)
    /// Called on the network thread for each message received.
    private let onMessage: (@Sendable (String, [UInt8]) -> Void)?

    public init(_ settings: MQTTSettings, clientId: String, persistent: Bool = false,
                logger: Logger = Logger(label: "bpm.mqtt"),
                onMessage: (@Sendable (String, [UInt8]) -> Void)? = nil) throws
    {
        mosquitto_lib_init()
        self.settings = settings
        self.logger = logger
        self.persistent = persistent && settings.sessionExpiry > 0
        self.onMessage = onMessage
        guard let m = mosquitto_new(clientId, !self.persistent, nil) else {
            throw MQTTError("cannot create an MQTT client")
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V5))
        mosquitto_threaded_set(m, true)
        try configureAuth(m)
        mosquitto_reconnect_delay_set(m, 1, 60, true)
        Self.setCallbacks(m)
    }

    private func configureAuth(_ m: OpaquePointer) throws {
        let o = settings.options
        if let user = o["username"] { mosquitto_username_pw_set(m, user, o["password"]) }
        guard settings.tls || o["cafile"] != nil || o["capath"] != nil else { return }
        let ca = o["cafile"] ?? (o["capath"] == nil ? "/etc/ssl/certs/ca-certificates.crt" : nil)
        let rc = mosquitto_tls_set(m, ca, o["capath"], o["certfile"], o["keyfile"], nil)
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError("MQTT TLS settings: \(Self.text(rc))") }
    }

    private static func setCallbacks(_ m: OpaquePointer) {
        mosquitto_connect_v5_callback_set(m) { @Sendable _, obj, rc, flags, _ in
            guard let obj else { return }
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().connected(rc, sessionPresent: flags & 1 == 1)
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
            let payload = msg.pointee.payload.map {
                Array(UnsafeRawBufferPointer(start: $0, count: Int(msg.pointee.payloadlen)))
            } ?? []
            Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue().onMessage?(topic, payload)
        }
    }

    /// Connects and runs the network loop on a thread of its own (a broker that is down is
    /// retried with backoff; the first connect, which may wait on DNS and TCP, runs there too).
    public func start() throws {
        let thread = Thread { [self] in
            runLoop()
            loopEnded.signal()
        }
        thread.name = "bpm-mqtt"
        thread.start()
    }

    /// The network thread: connects (with the session expiry interval when persistent), then
    /// runs libmosquitto's loop, which reconnects by itself; should it give up (a protocol or
    /// TLS error), it is started again after 5 s, until `stop`.
    private func runLoop() {
        var props: OpaquePointer?
        defer { mosquitto_property_free_all(&props) }
        if persistent {
            let expiry = Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue)
            mosquitto_property_add_int32(&props, expiry, settings.sessionExpiry)
        }
        let rc = mosquitto_connect_bind_v5(mosq, settings.host, Int32(settings.port), settings.keepalive, nil, props)
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            logger.warning("mqtt: cannot connect to \(settings.host):\(settings.port) yet (\(Self.text(rc))); retrying")
        }
        // a stop that came while connecting: the loop below ends once the DISCONNECT is out
        if state.withLock({ $0.stopping }) { mosquitto_disconnect(mosq) }
        while !state.withLock({ $0.stopping }) {
            let lrc = mosquitto_loop_forever(mosq, 1000, 1)
            if state.withLock({ $0.stopping }) { break }
            logger.warning("mqtt: the network loop stopped (\(Self.text(lrc))); connecting again in 5 s")
            for _ in 0..<50 where !state.withLock({ $0.stopping }) { usleep(100_000) }
            _ = mosquitto_reconnect(mosq)
        }
    }

    static func text(_ rc: Int32) -> String { String(cString: mosquitto_strerror(rc)) }

    /// Disconnects (a persistent session stays at the broker) and ends the network thread:
    /// a message callback in progress finishes first, and its acknowledgement goes out before
    /// the DISCONNECT.
    public func stop() {
        state.withLock { $0.stopping = true }
        mosquitto_disconnect(mosq)
        let ended = loopEnded.wait(timeout: .now() + .seconds(Int(settings.ackTimeout) + 10)) == .success
        let pending = state.withLock { s in defer { s.acks = [:] }; return Array(s.acks.values) }
        for c in pending { c.resume(throwing: MQTTError("the MQTT client stopped")) }
        // a network thread that did not end still uses the handle: it is left to the process's exit
        if ended { mosquitto_destroy(mosq) } else { logger.warning("mqtt: the network thread did not end") }
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
        for f in added.sorted() { mosquitto_subscribe(mosq, nil, settings.subscription(f), 1) }
        for f in removed.sorted() { mosquitto_unsubscribe(mosq, nil, settings.subscription(f)) }
        if !added.isEmpty {
            logger.info("mqtt: subscribed to \(added.sorted().map(settings.subscription).joined(separator: ", "))")
        }
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

    fileprivate func connected(_ rc: Int32, sessionPresent: Bool) {
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
        let session = persistent ? (sessionPresent ? " (session resumed)" : " (new session)") : ""
        logger.info("mqtt: \(again ? "reconnected" : "connected") to \(settings.host):\(settings.port)\(session)")
        for f in filters.sorted() { mosquitto_subscribe(mosq, nil, settings.subscription(f), 1) }
    }

    fileprivate func disconnected(_ rc: Int32) {
        state.withLock { $0.connected = false }
        if rc != 0, !state.withLock({ $0.stopping }) {
            logger.warning("mqtt: disconnected from \(settings.host):\(settings.port) (\(Self.text(rc))); reconnecting")
        }
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
