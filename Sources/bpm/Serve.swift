import ArgumentParser
import BPMCamunda
import BPMCamundaREST
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMServer
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMStreams
import BPMZeebe
import Foundation
import Hummingbird
import JWTKit
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine with its HTTP API.",
        discussion: """
        Deploys every definition in --definitions and keeps watching the folder: a changed
        file becomes a new version (running instances stay on theirs), an invalid one is
        reported (log, GET /deployments) while the last good version stays active, a removed
        one is retired for new instances. Continues every stored instance where it was
        (timers re-armed, pending connector calls re-dispatched), and serves the API.

        Configuration can also come from the environment: BPM_STORE, BPM_DEFINITIONS,
        BPM_WATCH, BPM_WATCH_INTERVAL, BPM_PUBLIC_URL, BPM_CATALOG_OWNER, BPM_HOST, BPM_PORT, BPM_GRPC_PORT, BPM_SQLITE_SYNC, BPM_LEASE, BPM_LOG_LEVEL, BPM_LOG_FORMAT,
        BPM_KAFKA_BROKERS, BPM_KAFKA_GROUP, BPM_KAFKA_OPTIONS (k=v,k=v), BPM_DEAD_LETTER_TOPIC,
        BPM_LIFECYCLE_TOPIC, BPM_MQTT_URL, BPM_MQTT_OPTIONS (k=v,k=v), BPM_SHUTDOWN_TIMEOUT, BPM_MAX_* (limits);
        or from a file of such
        NAME=value lines given with --config (the environment wins over the file).
        """
    )

    @Option(help: "Where state lives: sqlite:PATH, or postgres://user:password@host:port/database (several replicas may share one).")
    var store: String = ProcessInfo.processInfo.environment["BPM_STORE"] ?? "sqlite:data/bpm.sqlite"

    @Option(help: "Folder of definitions to deploy at start-up.")
    var definitions: String = ProcessInfo.processInfo.environment["BPM_DEFINITIONS"] ?? "examples"

    @Flag(inversion: .prefixedNo, help: "Watch --definitions: deploy changed files as new versions, report invalid ones, retire removed ones.")
    var watch = ProcessInfo.processInfo.environment["BPM_WATCH"] != "false"

    @Option(help: "Seconds between scans of the watched folder.")
    var watchInterval: Double = Double(ProcessInfo.processInfo.environment["BPM_WATCH_INTERVAL"] ?? "") ?? 2

    @Option(name: .customLong("public-url"), help: "The URL users and Backstage reach this server at (default: from each request's Host header).")
    var publicURLOption: String?
    /// `--public-url`, else `BPM_PUBLIC_URL`.
    var publicURL: String? { publicURLOption ?? ProcessInfo.processInfo.environment["BPM_PUBLIC_URL"] }

    @Option(help: """
        Seconds between the live pages' looks at the store when this server committed nothing they show \
        (changes other replicas make appear within this).
        """)
    var livePoll: Double = Double(ProcessInfo.processInfo.environment["BPM_LIVE_POLL"] ?? "") ?? 5

    @Option(help: "The Backstage owner of the published process entities.")
    var catalogOwner: String = ProcessInfo.processInfo.environment["BPM_CATALOG_OWNER"] ?? "bpm"

    @Option(help: "Address to listen on.")
    var host: String = ProcessInfo.processInfo.environment["BPM_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port: Int = Int(ProcessInfo.processInfo.environment["BPM_PORT"] ?? "") ?? 8080

    @Option(name: .customLong("grpc-port"), help: "Port of the Zeebe gRPC gateway (Camunda 8 clients, Modeler; default 26500, 0: off).")
    var grpcPort: Int = Int(ProcessInfo.processInfo.environment["BPM_GRPC_PORT"] ?? "") ?? 26500

    @Option(help: "SQLite durability: FULL (survives power loss) or NORMAL (survives process crashes, faster).")
    var sqliteSync: String = ProcessInfo.processInfo.environment["BPM_SQLITE_SYNC"] ?? "FULL"

    @Option(help: "Seconds a replica's claims on timers and jobs last: after it dies, others take its work over once they run out.")
    var lease: Double = Double(ProcessInfo.processInfo.environment["BPM_LEASE"] ?? "") ?? 60

    @Flag(help: "Record connector calls in the log instead of performing them (database_log still writes).")
    var dryRun = false

    @Option(name: .customLong("secrets-file"), help: "A file of NAME=value secret lines for connectors ({{secrets.NAME}}); BPM_SECRET_NAME variables work too.")
    var secretsFileOption: String?
    /// `--secrets-file`, else `BPM_SECRETS_FILE`.
    var secretsFile: String? { secretsFileOption ?? ProcessInfo.processInfo.environment["BPM_SECRETS_FILE"] }

    @Option(help: "Log lines as text or json (one JSON object per line, with instance, element and request ids as fields).")
    var logFormat: String = ProcessInfo.processInfo.environment["BPM_LOG_FORMAT"] ?? "text"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = ProcessInfo.processInfo.environment["BPM_LOG_LEVEL"] ?? "info"

    @Option(help: "A file of BPM_NAME=value lines (the environment variables above), read before the options.")
    var config: String?

    @Option(name: .customLong("kafka-brokers"), help: "Kafka/Redpanda bootstrap brokers (host:port,…): consume the topics definitions trigger on, publish kafka_publish, dead letters and lifecycle events.")
    var kafkaBrokersOption: String?
    /// `--kafka-brokers`, else `BPM_KAFKA_BROKERS`.
    var kafkaBrokers: String? { kafkaBrokersOption ?? ProcessInfo.processInfo.environment["BPM_KAFKA_BROKERS"] }

    @Option(help: "The engine's Kafka consumer group: replicas of one deployment share it.")
    var kafkaGroup: String = ProcessInfo.processInfo.environment["BPM_KAFKA_GROUP"] ?? "bpm"

    @Option(help: "A librdkafka property as NAME=value, passed through (security.protocol, sasl.mechanisms, sasl.username, ssl.ca.location, session.timeout.ms, …); repeatable.")
    var kafkaOption: [String] = Serve.list(ProcessInfo.processInfo.environment["BPM_KAFKA_OPTIONS"])

    @Option(help: "Where events that cannot be used go, with the reason in headers (empty: only counted and logged).")
    var deadLetterTopic: String = ProcessInfo.processInfo.environment["BPM_DEAD_LETTER_TOPIC"] ?? "bpm-dead-letter"

    @Option(name: .customLong("lifecycle-topic"), help: "Publish the engine's lifecycle events (instance, task, incident) to this Kafka topic, keyed by instance id.")
    var lifecycleTopicOption: String?
    /// `--lifecycle-topic`, else `BPM_LIFECYCLE_TOPIC`.
    var lifecycleTopic: String? { lifecycleTopicOption ?? ProcessInfo.processInfo.environment["BPM_LIFECYCLE_TOPIC"] }

    @Option(name: .customLong("mqtt-url"), help: "MQTT broker for mqtt_publish and source: mqtt triggers: mqtt://[user:password@]host:port or mqtts://….")
    var mqttUrlOption: String?
    /// `--mqtt-url`, else `BPM_MQTT_URL`.
    var mqttUrl: String? { mqttUrlOption ?? ProcessInfo.processInfo.environment["BPM_MQTT_URL"] }

    @Option(help: """
        An MQTT option as NAME=value: cafile, capath, certfile, keyfile, username, password, client_id, keepalive, \
        session_expiry, share_group, ack_timeout; repeatable.
        """)
    var mqttOption: [String] = Serve.list(ProcessInfo.processInfo.environment["BPM_MQTT_OPTIONS"])

    @Option(name: .customLong("auth-tokens"), help: "API tokens: a file of lines 'TOKEN user=NAME roles=viewer|operator|admin|worker[,…] [groups=a,b] [job_types=x,y]'.")
    var authTokensOption: String?
    /// `--auth-tokens`, else `BPM_AUTH_TOKENS`.
    var authTokens: String? { authTokensOption ?? ProcessInfo.processInfo.environment["BPM_AUTH_TOKENS"] }

    @Option(name: .customLong("jwt-secret"), help: "Accept HS256 JWTs signed with this secret (claims: sub, exp, roles, groups, job_types).")
    var jwtSecretOption: String?
    /// `--jwt-secret`, else `BPM_JWT_SECRET`.
    var jwtSecret: String? { jwtSecretOption ?? ProcessInfo.processInfo.environment["BPM_JWT_SECRET"] }

    @Option(name: .customLong("jwt-public-key"), help: "Accept RS256 JWTs verified with this PEM public key file.")
    var jwtPublicKeyOption: String?
    /// `--jwt-public-key`, else `BPM_JWT_PUBLIC_KEY`.
    var jwtPublicKey: String? { jwtPublicKeyOption ?? ProcessInfo.processInfo.environment["BPM_JWT_PUBLIC_KEY"] }

    @Option(name: .customLong("jwt-issuer"), help: "Require this issuer (iss) in JWTs.")
    var jwtIssuerOption: String?
    /// `--jwt-issuer`, else `BPM_JWT_ISSUER`.
    var jwtIssuer: String? { jwtIssuerOption ?? ProcessInfo.processInfo.environment["BPM_JWT_ISSUER"] }

    @Option(name: .customLong("jwt-audience"), help: "Require this audience (aud) in JWTs.")
    var jwtAudienceOption: String?
    /// `--jwt-audience`, else `BPM_JWT_AUDIENCE`.
    var jwtAudience: String? { jwtAudienceOption ?? ProcessInfo.processInfo.environment["BPM_JWT_AUDIENCE"] }

    @Flag(help: "Serve on a non-loopback address without authentication (only behind something that authenticates).")
    var insecureNoAuth = false

    @Flag(help: "Let tests pin the engine's clock (PUT /clock, admin) to fire timers without waiting; never in production.")
    var clockControl = ["1", "true", "yes"].contains((ProcessInfo.processInfo.environment["BPM_CLOCK_CONTROL"] ?? "").lowercased())

    @Option(help: "Seconds a shutdown (SIGTERM, SIGINT) may take: intake stops, HTTP requests and queued work finish, running connector calls get this long; what is left resumes at the next start.")
    var shutdownTimeout: Double = Double(ProcessInfo.processInfo.environment["BPM_SHUTDOWN_TIMEOUT"] ?? "") ?? 30

    @OptionGroup(title: "Limits")
    var limitOptions: LimitOptions

    /// Authentication from the options; refuses a reachable address without it.
    func authSettings() async throws -> AuthSettings {
        var auth = AuthSettings()
        do {
            if let f = authTokens, !f.isEmpty { auth.tokens = try AuthSettings.tokens(file: f) }
        } catch let e as AuthError { throw ValidationError(e.description) }
        if (jwtSecret ?? "").isEmpty == false || (jwtPublicKey ?? "").isEmpty == false {
            let keys = JWTKeyCollection()
            if let secret = jwtSecret, !secret.isEmpty {
                guard secret.utf8.count >= 32 else { throw ValidationError("--jwt-secret must be at least 32 bytes") }
                await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            }
            if let file = jwtPublicKey, !file.isEmpty {
                guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read --jwt-public-key \(file)") }
                do { await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256) } catch {
                    throw ValidationError("--jwt-public-key \(file) is not an RSA public key in PEM: \(error)")
                }
            }
            auth.jwt = keys
            auth.issuer = jwtIssuer
            auth.audience = jwtAudience
        }
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
        if !auth.enabled && !loopback && !insecureNoAuth {
            throw ValidationError("--host \(host) is reachable from other machines: configure --auth-tokens or --jwt-secret/--jwt-public-key, or pass --insecure-no-auth if something in front authenticates")
        }
        return auth
    }

    static func list(_ s: String?) -> [String] { (s ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    static func pairs(_ items: [String], _ what: String) throws -> [String: String] {
        do { return try OptionPairs.parse(items, option: what) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        if logFormat == "json" {
            LoggingSystem.bootstrap { label in
                var h = JSONLogHandler(label: label)
                h.logLevel = Logger.Level(rawValue: logLevel) ?? .info
                return h
            }
        } else if logFormat != "text" {
            throw ValidationError("--log-format is text or json, not '\(logFormat)'")
        }
        var logger = Logger(label: "bpm")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        BPMServer.bootstrapMetrics()
        Limits.active = limitOptions.limits
        let auth = try await authSettings()
        let processStore = try openStore(store, sync: sqliteSync, logger: logger)
        try await processStore.migrate()
        let controlled = clockControl ? ControlledClock() : nil
        let clock: any EngineClock = controlled ?? SystemClock()
        if clockControl { logger.warning("the engine's clock can be pinned through PUT /clock (--clock-control): for tests only") }
        var connectors = ConnectorRegistry()
        connectors.register("database_log", DatabaseLogConnector(store: processStore, clock: clock))
        let secrets = Secrets(file: secretsFile)
        connectors.register("http", HTTPConnector(secrets: secrets))
        let notify = WebhookNotifyConnector(secrets: secrets)
        if notify.isConfigured { connectors.register("notify", notify) }
        var kafka: KafkaSettings?
        var producer: KafkaProducer?
        if let brokers = kafkaBrokers, !brokers.isEmpty {
            kafka = KafkaSettings(brokers: brokers, properties: try Self.pairs(kafkaOption, "--kafka-option"))
            producer = try KafkaProducer(kafka!)
            connectors.register("kafka_publish", KafkaPublishConnector(producer: producer!))
        } else if lifecycleTopic != nil {
            throw ValidationError("--lifecycle-topic needs --kafka-brokers")
        }
        var mqtt: MQTTSettings?
        var publisher: MQTTClient?
        if let url = mqttUrl, !url.isEmpty {
            mqtt = try mqttSettings(url)
            publisher = try MQTTClient(mqtt!, clientId: mqtt!.clientId + "-pub", logger: Logger(label: "bpm.mqtt"))
            try publisher!.start()
            connectors.register("mqtt_publish", MQTTPublishConnector(client: publisher!))
        }
        if dryRun {
            connectors = ConnectorRegistry(fallback: LoggingRecorder(logger: logger, store: processStore, clock: clock))
        }
        let runtime = Runtime(store: processStore, clock: clock, connectors: connectors, logger: logger)
        await runtime.configure(lease: lease)
        if producer != nil { await runtime.configure(lifecycleTopic: lifecycleTopic) }
        try await runtime.start()

        let watcher = DefinitionWatcher(runtime: runtime, directory: definitions, logger: logger)
        let first = await watcher.scan()
        if !first.invalid.isEmpty { logger.warning("\(first.invalid.count) definition file(s) not deployed; see the errors above (GET /deployments lists them)") }

        // intake starts once the definitions are deployed: their topics are what it consumes
        let deadLetters = DeadLetters(producer: producer, topic: deadLetterTopic.isEmpty ? nil : deadLetterTopic)
        var kafkaIntake: KafkaIntake?
        var relay: OutboxRelay?
        if let kafka, let producer {
            logger.info("kafka: brokers \(kafka.brokers), librdkafka \(librdkafkaVersion)")
            kafkaIntake = try KafkaIntake(runtime: runtime, settings: kafka, group: kafkaGroup, deadLetters: deadLetters)
            if lifecycleTopic != nil { relay = OutboxRelay(store: processStore, producer: producer) }
        }
        var mqttIntake: MQTTIntake?
        if let mqtt { mqttIntake = try MQTTIntake(runtime: runtime, settings: mqtt, deadLetters: deadLetters) }

        var options = BPMServer.Options(publicURL: publicURL, catalogOwner: catalogOwner, auth: auth)
        options.livePoll = livePoll
        options.clock = controlled
        // Camunda 8's REST API v2 under /v2 and the gRPC gateway share one facade (docs/camunda.md)
        let camunda = CamundaGateway(runtime: runtime)
        let (restHost, restPort) = (host, port)
        options.extraRoutes.append { CamundaREST.register(on: $0, gateway: camunda, host: restHost, port: restPort) }
        if let intake = kafkaIntake {
            let brokers = kafkaBrokers ?? ""
            options.readiness["kafka"] = { Self.kafkaProblem(intake, brokers: brokers) }
        }
        if let publisher {
            let where_ = mqttUrl.map(redacted) ?? ""
            options.readiness["mqtt"] = { publisher.isConnected ? nil : "not connected to \(where_) (reconnecting)" }
        }
        let app = BPMServer.application(runtime: runtime, host: host, port: port, logger: logger, options: options) { actual in
            FileHandle.standardOutput.write(Data("bpm serve listening on http://\(host):\(actual) (store \(redacted(store)))\n".utf8))
        }

        // One service group; on SIGTERM/SIGINT it stops the services in reverse order: intake
        // and the folder watcher first (no new work comes in), then HTTP (requests in flight are
        // answered), then the engine (queued work is committed, running connector calls are
        // waited for) — all within --shutdown-timeout, after which what is left is cancelled
        // (jobs are re-dispatched at the next start; nothing committed is lost).
        let (kafkaIntakeRef, mqttIntakeRef, relayRef, log) = (kafkaIntake, mqttIntake, relay, logger)
        let engine = Stage("engine", stop: {
            let (queued, jobs) = await runtime.inFlight
            if queued + jobs > 0 { log.info("shutdown: finishing \(queued) queued item(s) and \(jobs) connector call(s)") }
            await runtime.shutdown()
            await relayRef?.stop()
        })
        let intake = Stage("intake", start: {
            await kafkaIntakeRef?.start()
            relayRef?.start()
            try await mqttIntakeRef?.start()
            if watch { await watcher.start(interval: watchInterval) }
        }, stop: {
            await watcher.stop()
            await mqttIntakeRef?.stop()
            await kafkaIntakeRef?.stop(waitForEngine: false)
        })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: engine), .init(service: app)]
        if grpcPort != 0 { services.append(.init(service: zeebeGateway(camunda, auth: auth, logger: logger))) }
        services.append(.init(service: intake))
        var config = ServiceGroupConfiguration(services: services,
                                               gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        config.maximumGracefulShutdownDuration = .milliseconds(Int64(shutdownTimeout * 1000))
        config.maximumCancellationDuration = .seconds(2)
        do {
            try await ServiceGroup(configuration: config).run()
        } catch {
            logger.warning("shutdown: \(error)")
        }
        let (queued, jobs) = await runtime.inFlight
        if queued + jobs > 0 {
            logger.warning("shutdown: stopped at --shutdown-timeout (\(shutdownTimeout) s) with \(queued) queued item(s) and \(jobs) connector call(s) unfinished; calls are made again at the next start (under the same idempotency key), nothing committed is lost")
        } else {
            logger.info("shutdown: complete")
        }
        producer?.close()
        publisher?.stop()
    }
}

extension Serve {
    /// The Kafka readiness check: no broker answers, or partitions are paused for an offset
    /// regression (their topic recreated: `bpm kafka reset`).
    static func kafkaProblem(_ intake: KafkaIntake, brokers: String) -> String? {
        if intake.brokersReachable == false { return "no broker of \(brokers) answers" }
        let paused = intake.regressions
        guard !paused.isEmpty else { return nil }
        return paused.map(\.description).joined(separator: "; ")
            + "; not consumed until reset (bpm kafka reset, docs/operations.md)"
    }

    /// `--mqtt-url` and `--mqtt-option`s; the intake's client id defaults to one per host and
    /// HTTP port, so a restarted server resumes its session.
    func mqttSettings(_ url: String) throws -> MQTTSettings {
        do {
            var options = try Self.pairs(mqttOption, "--mqtt-option")
            if options["client_id"] == nil { options["client_id"] = MQTTSettings.defaultClientId(httpPort: port) }
            return try MQTTSettings(url: url, options: options)
        } catch let e as MQTTError {
            throw ValidationError(e.description)
        }
    }
}

extension Serve {
    /// Zeebe's gRPC gateway on --grpc-port (docs/zeebe-grpc.md), stopped before HTTP on shutdown.
    func zeebeGateway(_ camunda: CamundaGateway, auth: AuthSettings, logger: Logger) -> ZeebeServer {
        ZeebeServer(gateway: camunda, host: host, port: grpcPort, auth: auth, logger: logger) { actual in
            FileHandle.standardOutput.write(Data("bpm serve gRPC gateway listening on \(host):\(actual)\n".utf8))
        }
    }
}

/// A step of the server's service group: `start` when the group runs, `stop` once a graceful
/// shutdown begins (or the group is cancelled).
struct Stage: Service {
    let name: String
    let start: @Sendable () async throws -> Void
    let stop: @Sendable () async -> Void

    init(_ name: String, start: @escaping @Sendable () async throws -> Void = {}, stop: @escaping @Sendable () async -> Void) {
        self.name = name
        self.start = start
        self.stop = stop
    }

    func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }
}

/// Opens the store named by a URL-like string: `sqlite:PATH` or `postgres://user:pass@host:port/db`.
func openStore(_ spec: String, sync: String = "FULL", logger: Logger = Logger(label: "bpm.store")) throws -> any ProcessStore {
    if spec.hasPrefix("sqlite:") {
        var path = String(spec.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
        return try SQLiteStore(path: path, synchronous: sync)
    }
    if spec.hasPrefix("postgres://") || spec.hasPrefix("postgresql://") {
        do { return try PostgresStore(url: spec, logger: logger) } catch { throw ValidationError("\(error)") }
    }
    throw ValidationError("unsupported store '\(spec)': use sqlite:PATH or postgres://user:password@host:port/database")
}

/// A store URL with its password hidden, for logs.
func redacted(_ spec: String) -> String {
    guard var c = URLComponents(string: spec), c.password != nil else { return spec }
    c.password = "***"
    return c.string ?? spec
}

/// `--dry-run` for the server: logs each call; database_log still writes to the store.
struct LoggingRecorder: Connector {
    let logger: Logger
    let store: any ProcessStore
    let clock: any EngineClock

    func execute(_ job: JobRecord) async -> ConnectorOutcome {
        if job.action == "database_log" {
            return await DatabaseLogConnector(store: store, clock: clock).execute(job)
        }
        logger.info("dry-run \(job.action) \(BPMExpressions.JSON.encode(job.payload)) [instance \(job.instanceId), \(job.elementId), job \(job.id)]")
        return .completed([:])
    }
}
