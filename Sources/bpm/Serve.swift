import ArgumentParser
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMServer
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import Foundation
import Hummingbird
import Logging

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
        BPM_WATCH, BPM_WATCH_INTERVAL, BPM_PUBLIC_URL, BPM_CATALOG_OWNER, BPM_HOST, BPM_PORT, BPM_SQLITE_SYNC, BPM_LEASE, BPM_LOG_LEVEL, BPM_LOG_FORMAT.
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

    @Option(help: "The URL users and Backstage reach this server at (default: from each request's Host header).")
    var publicURL: String? = ProcessInfo.processInfo.environment["BPM_PUBLIC_URL"]

    @Option(help: "The Backstage owner of the published process entities.")
    var catalogOwner: String = ProcessInfo.processInfo.environment["BPM_CATALOG_OWNER"] ?? "bpm"

    @Option(help: "Address to listen on.")
    var host: String = ProcessInfo.processInfo.environment["BPM_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port: Int = Int(ProcessInfo.processInfo.environment["BPM_PORT"] ?? "") ?? 8080

    @Option(help: "SQLite durability: FULL (survives power loss) or NORMAL (survives process crashes, faster).")
    var sqliteSync: String = ProcessInfo.processInfo.environment["BPM_SQLITE_SYNC"] ?? "FULL"

    @Option(help: "Seconds a replica's claims on timers and jobs last: after it dies, others take its work over once they run out.")
    var lease: Double = Double(ProcessInfo.processInfo.environment["BPM_LEASE"] ?? "") ?? 60

    @Flag(help: "Record connector calls in the log instead of performing them (database_log still writes).")
    var dryRun = false

    @Option(help: "A file of NAME=value secret lines for connectors ({{secrets.NAME}}); BPM_SECRET_NAME variables work too.")
    var secretsFile: String? = ProcessInfo.processInfo.environment["BPM_SECRETS_FILE"]

    @Option(help: "Log lines as text or json (one JSON object per line, with instance, element and request ids as fields).")
    var logFormat: String = ProcessInfo.processInfo.environment["BPM_LOG_FORMAT"] ?? "text"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = ProcessInfo.processInfo.environment["BPM_LOG_LEVEL"] ?? "info"

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
        let processStore = try openStore(store, sync: sqliteSync, logger: logger)
        try await processStore.migrate()
        let clock = SystemClock()
        var connectors = ConnectorRegistry()
        connectors.register("database_log", DatabaseLogConnector(store: processStore, clock: clock))
        let secrets = Secrets(file: secretsFile)
        connectors.register("http", HTTPConnector(secrets: secrets))
        let notify = WebhookNotifyConnector(secrets: secrets)
        if notify.isConfigured { connectors.register("notify", notify) }
        if dryRun {
            connectors = ConnectorRegistry(fallback: LoggingRecorder(logger: logger, store: processStore, clock: clock))
        }
        let runtime = Runtime(store: processStore, clock: clock, connectors: connectors, logger: logger)
        await runtime.configure(lease: lease)
        try await runtime.start()

        let watcher = DefinitionWatcher(runtime: runtime, directory: definitions, logger: logger)
        let first = await watcher.scan()
        if !first.invalid.isEmpty { logger.warning("\(first.invalid.count) definition file(s) not deployed; see the errors above (GET /deployments lists them)") }
        if watch { await watcher.start(interval: watchInterval) }

        let app = BPMServer.application(runtime: runtime, host: host, port: port, logger: logger, options: .init(publicURL: publicURL, catalogOwner: catalogOwner)) { actual in
            FileHandle.standardOutput.write(Data("bpm serve listening on http://\(host):\(actual) (store \(redacted(store)))\n".utf8))
        }
        try await app.runService()
        await watcher.stop()
        await runtime.shutdown()
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
