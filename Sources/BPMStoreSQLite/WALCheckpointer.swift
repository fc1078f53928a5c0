import BPMStore
import Foundation
import GRDB
import GRDBSQLite
import Metrics

/// Copies the write-ahead log into the database file on a connection and thread of its own,
/// so commits do not wait for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the mark: that commit,
/// and every one queued behind it, waits while the log's pages are copied and the database
/// file is synced (≈ 2.5 ms for 1 MiB on this VM, every fourth commit at half load — the
/// largest part of the latency tail). Here the writer's commit only asks for a checkpoint,
/// and a passive one (it never waits for the writer or for readers) runs beside the next
/// commits. The log restarts from its beginning at the first write after a checkpoint has
/// copied all of it. If writes outpace the checkpoints until the log holds `limit` pages, the
/// writer waits for a checkpoint after its commit, as it would with SQLite's own.
final class WALCheckpointer: @unchecked Sendable {
    let path: String
    let synchronous: String
    /// Pages in the log that ask for a checkpoint (the store's default: 1 MiB of 4 KiB pages).
    let threshold: Int32
    /// Pages in the log past which the writer waits for a checkpoint (the store's: 64 MiB).
    let limit: Int32
    private let queue = DispatchQueue(label: "bpm.sqlite.checkpoint")
    private let requested = Locked(false)
    /// Only used on `queue`.
    private var connection: OpaquePointer?
    /// Checkpoints run, those that failed, and those the writer waited for; the log's size
    /// in pages after the last commit.
    let runs = Locked((done: 0, failed: 0, waited: 0, logPages: Int32(0)))

    init(path: String, synchronous: String, threshold: Int32, limit: Int32) {
        self.path = path
        self.synchronous = synchronous
        self.threshold = threshold
        self.limit = limit
    }

    deinit {
        if let connection { sqlite3_close_v2(connection) }
    }

    /// Installs the commit hook on the writer's connection (readers never commit). The hook
    /// holds the checkpointer weakly: the store may go before its connections are closed.
    func attach(to db: Database) {
        guard !db.configuration.readonly else { return }
        let box = Unmanaged.passRetained(WeakBox(self)).toOpaque()  // one per writer connection, never freed
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
            if let context { Unmanaged<WeakBox>.fromOpaque(context).takeUnretainedValue().checkpointer?.committed(pages: pages) }
            return SQLITE_OK
        }, box)
    }

    /// After each commit, on the writer's thread, with the log's size in pages.
    func committed(pages: Int32) {
        runs.withLock { $0.logPages = pages }
        if pages >= limit {
            // the checkpoints fall behind the writes: wait for the one under way and run one more
            runs.withLock { $0.waited += 1 }
            Counter(label: "bpm_sqlite_checkpoint_waits_total").increment()
            queue.sync { run() }
        } else if pages >= threshold {
            request()
        }
    }

    /// Asks for a checkpoint; requests made while one waits to run are one.
    func request() {
        let first = requested.withLock { r in
            defer { r = true }
            return !r
        }
        guard first else { return }
        queue.async { self.run() }
    }

    /// Opens the checkpointer's connection (once the database is in WAL mode), so the files it
    /// holds open are there from the start; a failure is retried at the first checkpoint.
    func open() { queue.sync { _ = connect() } }

    private func connect() -> OpaquePointer? {
        if let connection { return connection }
        var c: OpaquePointer?
        guard sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let c else {
            sqlite3_close_v2(c)
            return nil
        }
        // the checkpoint syncs the database file as this connection's setting says; a fresh
        // connection knows the file is in WAL mode only once it has read it
        sqlite3_exec(c, "PRAGMA synchronous = \(synchronous); PRAGMA journal_mode", nil, nil, nil)
        connection = c
        return c
    }

    private func run() {
        requested.withLock { $0 = false }
        let started = DispatchTime.now().uptimeNanoseconds
        var ok = false
        defer {
            // made per run, not kept: the store may open before the metrics system is set up
            Counter(label: "bpm_sqlite_checkpoints_total", dimensions: [("outcome", ok ? "done" : "failed")]).increment()
            if ok { Metrics.Timer(label: "bpm_sqlite_checkpoint_duration_seconds").recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started)) }
        }
        guard let connection = connect() else { return runs.withLock { $0.failed += 1 } }
        var log: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        ok = rc == SQLITE_OK && log >= 0
        runs.withLock { if ok { $0.done += 1 } else { $0.failed += 1 } }
    }

    /// Waits for a requested checkpoint to end.
    func settle() { queue.sync {} }

    private final class WeakBox {
        weak var checkpointer: WALCheckpointer?
        init(_ c: WALCheckpointer) { checkpointer = c }
    }
}
