import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Logging

/// A migrated store of `kind` for tests that run on both stores — `sqlite`: a file in a
/// temporary folder; `postgres`: a new database (named from `prefix`) on the test server — and
/// how to remove it.
func migratedStore(_ kind: String, database prefix: String) async throws -> (any ProcessStore, () -> Void) {
    if kind == "postgres" {
        let s = try PostgresStore(url: try TestPostgres.server().createDatabase(prefix), maxConnections: 4)
        s.operationTimeout = 60
        try await s.migrate()
        return (s, {})
    }
    let dir = try temporaryDirectory()
    let s = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
    try await s.migrate()
    return (s, { try? FileManager.default.removeItem(at: dir) })
}

/// A started runtime on `store` with recorded connectors, quiet logs and no timer loop (the
/// test moves `clock` and fires the timers).
func quietRuntime(_ store: any ProcessStore, clock: ManualClock = ManualClock()) async throws -> Runtime {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let connectors = ConnectorRegistry(fallback: RecordingConnector())
    let r = Runtime(store: store, clock: clock, connectors: connectors, logger: logger)
    try await r.start(timerLoop: false)
    return r
}
