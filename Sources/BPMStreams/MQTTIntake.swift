import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Logging

/// MQTT as a trigger source: subscribes (QoS 1, in a persistent session) to the topic filters
/// of deployed definitions with `source: mqtt` (and message events with `source: mqtt`),
/// following deployments, and hands each message to the engine in arrival order. Bad messages
/// are set aside like Kafka's.
///
/// Nothing acknowledged is dropped: a message whose commit fails (the store is down) is kept
/// and committed again, in order, until the store takes it; the message callback waits for the
/// commit (up to `ack_timeout`) before libmosquitto acknowledges it to the broker, so a crash
/// meanwhile leaves it at the broker, which delivers it again. A stop disconnects first and
/// then commits every message already acknowledged.
public final class MQTTIntake: @unchecked Sendable {
    let runtime: Runtime
    let deadLetters: DeadLetters
    let logger: Logger
    private var client: MQTTClient!
    /// Messages taken from the broker and not yet committed: at the bound, libmosquitto's
    /// network thread waits, so the broker holds (in the session's queue) what comes next
    /// instead of the engine's memory growing while the store is behind.
    static let maxInFlight = 2048
    /// Messages handed to the engine in one batch.
    static let batchSize = 256
    let inbox = MQTTInbox(capacity: MQTTIntake.maxInFlight)
    private let stopping = Locked(false)
    private var consumer: Task<Void, Never>?
    private var refresh: Task<Void, Never>?

    public init(
        runtime: Runtime, settings: MQTTSettings, deadLetters: DeadLetters, logger: Logger = Logger(label: "bpm.mqtt")
    ) throws {
        self.runtime = runtime
        self.deadLetters = deadLetters
        self.logger = logger
        let wait = settings.ackTimeout
        client = try MQTTClient(settings, clientId: settings.clientId, persistent: true, logger: logger) {
            [inbox, stopping] topic, payload in
            let entry = inbox.put(topic: topic, payload: payload) { stopping.withLock { $0 } }
            // the acknowledgement goes out when this returns: after the commit, or after `wait`
            if wait > 0 { _ = entry.committed.wait(timeout: .now() + wait) }
        }
        let session =
            settings.sessionExpiry > 0 ? "a persistent session (expiry \(settings.sessionExpiry) s)" : "clean sessions"
        logger.info("mqtt: intake as client \(settings.clientId) with \(session)")
    }

    public func start() async throws {
        client.subscribe(await runtime.registry.mqttFilters)
        try client.start()
        consumer = Task { [self] in
            while true {
                let batch = await inbox.take(max: Self.batchSize)
                if batch.isEmpty { return }  // closed and drained
                await commit(batch)
            }
        }
        refresh = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 2_000_000_000)
                client.subscribe(await runtime.registry.mqttFilters)
            }
        }
    }

    /// Disconnects (the broker keeps the session and queues what follows), then commits every
    /// message already taken; cancelled (the shutdown timeout), what is left is logged.
    public func stop() async {
        stopping.withLock { $0 = true }
        refresh?.cancel()
        let client = self.client!
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread {
                client.stop()
                c.resume()
            }.start()
        }
        inbox.close()
        guard let consumer else { return }
        await withTaskCancellationHandler {
            await consumer.value
        } onCancel: {
            consumer.cancel()
        }
    }

    /// Commits a batch: bad messages are set aside, the rest handed to the engine; those whose
    /// commit failed are handed over again (in order, after a growing pause) until they commit.
    func commit(_ batch: [MQTTInbox.Entry]) async {
        let registry = await runtime.registry
        var waiting: [(MQTTInbox.Entry, IntakeItem)] = []
        for e in batch {
            switch EventDecoder.decode(e.payload, topic: e.topic, mqtt: true, registry: registry) {
            case .success(let value):
                waiting.append((e, .event(IntakeEvent(value: value, topic: e.topic, mqtt: true))))
            case .failure(let problem):
                await deadLetters.setAside(
                    e.payload, key: nil, topic: e.topic, problem: problem, origin: "mqtt:\(e.topic)")
                inbox.done(e)
            }
        }
        var delay: UInt64 = 100_000_000
        var failures = 0
        while !waiting.isEmpty {
            let results = await ingest(waiting.map(\.1))
            var failed: [(MQTTInbox.Entry, IntakeItem)] = []
            var problem: (any Error)?
            for (w, r) in zip(waiting, results) {
                if case .failure(let e) = r {
                    failed.append(w)
                    problem = e
                } else {
                    inbox.done(w.0)
                }
            }
            if failures > 0, failed.isEmpty {
                logger.info("mqtt: \(waiting.count) kept message(s) committed after \(failures) attempt(s)")
            }
            waiting = failed
            guard let problem else { break }
            failures += 1
            if failures == 1 || failures % 20 == 0 {
                logger.warning("mqtt: \(failed.count) message(s) not committed (\(problem)); kept and tried again")
            }
            if Task.isCancelled {
                logger.error("mqtt: stopped with \(failed.count) acknowledged message(s) not committed")
                return
            }
            try? await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, 5_000_000_000)
        }
    }

    private func ingest(_ items: [IntakeItem]) async -> [Result<[Runtime.EventOutcome], any Error>] {
        await withCheckedContinuation { c in
            Task { [runtime] in await runtime.ingest(items) { c.resume(returning: $0) } }
        }
    }
}

/// The MQTT messages taken from the broker and not yet committed, oldest first. The network
/// thread puts (waiting for room); the intake takes batches; each entry's `committed` is
/// signalled once it is stored (or set aside).
final class MQTTInbox: @unchecked Sendable {
    final class Entry: @unchecked Sendable {
        let topic: String
        let payload: [UInt8]
        let committed = DispatchSemaphore(value: 0)
        /// Whether it took a place of the capacity (not when put during a stop).
        let counted: Bool
        init(topic: String, payload: [UInt8], counted: Bool) {
            self.topic = topic
            self.payload = payload
            self.counted = counted
        }
    }
    private struct State {
        var entries: [Entry] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Locked(State())
    private let room: DispatchSemaphore

    init(capacity: Int) { room = DispatchSemaphore(value: capacity) }

    /// Appends a message, first waiting for room unless `stopping` (then it is taken anyway:
    /// libmosquitto acknowledges it once the callback returns).
    func put(topic: String, payload: [UInt8], stopping: () -> Bool) -> Entry {
        var counted = false
        while !stopping() {
            if room.wait(timeout: .now() + .milliseconds(500)) == .success {
                counted = true
                break
            }
        }
        let entry = Entry(topic: topic, payload: payload, counted: counted)
        let waiter = state.withLock { s in
            s.entries.append(entry)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
        return entry
    }

    /// Up to `max` entries, oldest first, waiting while there are none; empty once closed
    /// and drained.
    func take(max: Int) async -> [Entry] {
        while true {
            let got: [Entry]? = state.withLock { s in
                if !s.entries.isEmpty {
                    let batch = Array(s.entries.prefix(max))
                    s.entries.removeFirst(batch.count)
                    return batch
                }
                return s.closed ? [] : nil
            }
            if let got { return got }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if !s.entries.isEmpty || s.closed { return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        }
    }

    /// An entry was committed (or set aside): its callback may acknowledge it, and it leaves room.
    func done(_ e: Entry) {
        e.committed.signal()
        if e.counted { room.signal() }
    }

    /// No more entries will come: `take` returns what is left, then nothing.
    func close() {
        let waiter = state.withLock { s in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
