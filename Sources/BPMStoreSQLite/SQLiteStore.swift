import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import CSQLiteConfig
import GRDB

/// The embedded store: SQLite in WAL mode through GRDB. Nothing to set up; one file.
public final class SQLiteStore: ProcessStore {
    let pool: DatabasePool
    let checkpointer: WALCheckpointer
    public let path: String

    /// Opens (creating if needed) the database at `path`. `synchronous` is SQLite's PRAGMA
    /// (`FULL` survives power loss; `NORMAL` survives process crashes and is faster).
    public convenience init(path: String, synchronous: String = "FULL") throws {
        try self.init(path: path, synchronous: synchronous, checkpointPages: (256, 16384))
    }

    /// `checkpointPages`: the log's size, in pages, that asks for a checkpoint and that makes
    /// the writer wait for one (see `WALCheckpointer`).
    init(path: String, synchronous: String, checkpointPages: (threshold: Int32, limit: Int32)) throws {
        _ = Self.tuned
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        let sync = ["FULL", "NORMAL", "OFF", "EXTRA"].contains(synchronous.uppercased()) ? synchronous.uppercased() : "FULL"
        let checkpointer = WALCheckpointer(path: path, synchronous: sync, threshold: checkpointPages.threshold, limit: checkpointPages.limit)
        self.checkpointer = checkpointer
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // the log is copied into the database beside the commits, not inside them
            checkpointer.attach(to: db)
        }
        if let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path.removingPercentEncoding, !dir.isEmpty {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        pool = try DatabasePool(path: path, configuration: config)
        checkpointer.open()
    }

    /// Process-wide SQLite settings, made before the first connection opens: no memory
    /// statistics (a global mutex around every allocation; ≈ 10 % of the commit's time).
    static let tuned: Void = { _ = bpm_sqlite_disable_memstatus() }()

    /// Refreshes the query planner's statistics (after a bulk load).
    public func analyze() async throws { try await pool.write { try $0.execute(sql: "ANALYZE") } }

    public func migrate() async throws {
        let pool = self.pool
        try await Task.detached { try SQLiteSchema.migrator.migrate(pool) }.value
    }

    // MARK: definitions

    public func saveDefinition(id: String, name: String, format: String, source: String, contentHash: String, origin: String, at: Date) async throws -> DefinitionRecord {
        try await pool.write { db in
            let latest = """
                SELECT * FROM process_definitions WHERE id = ? AND deleted_at IS NULL ORDER BY version DESC LIMIT 1
                """
            if let row = try Row.fetchOne(db, sql: latest, arguments: [id]),
               (row["content_hash"] as String?) == contentHash
            {
                return Self.definition(row)
            }
            let version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM process_definitions WHERE id = ?", arguments: [id]) ?? 0) + 1
            let meta = JSON.encode(.context(["name": .string(name), "format": .string(format), "origin": .string(origin)]))
            try db.execute(sql: """
                INSERT INTO process_definitions (id, version, name, format, source, content_hash, origin, definition, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, version, name, format, source, contentHash, origin, meta, Coding.iso(at)])
            return DefinitionRecord(id: id, version: version, name: name, format: format, source: source, contentHash: contentHash, deployedAt: at, origin: origin)
        }
    }

    public func definitions() async throws -> [DefinitionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM process_definitions WHERE deleted_at IS NULL ORDER BY id, version")
                .map(Self.definition)
        }
    }

    public func deleteDefinition(id: String, version: Int, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE process_definitions SET deleted_at = ? WHERE id = ? AND version = ? AND deleted_at IS NULL
                    """,
                arguments: [Coding.iso(at), id, version])
            return db.changesCount > 0
        }
    }

    static func definition(_ row: Row) -> DefinitionRecord {
        DefinitionRecord(id: row["id"], version: row["version"], name: row["name"], format: row["format"], source: row["source"],
                         contentHash: row["content_hash"], deployedAt: Coding.date(row["created_at"] as String) ?? Date(timeIntervalSince1970: 0),
                         origin: row["origin"])
    }

    // MARK: instances

    public func instance(_ id: String) async throws -> InstanceState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM process_instances WHERE id = ?", arguments: [id]).map(Self.instanceState)
        }
    }

    static func instanceState(_ row: Row) -> InstanceState {
        let vars = (try? JSON.parse(row["variables"] as String? ?? "{}"))?.contextValue ?? [:]
        let exec = (try? JSON.parse(row["state"] as String? ?? "{}")) ?? .context([:])
        return InstanceState(id: row["id"], definitionId: row["definition_id"], definitionVersion: row["definition_version"],
                             status: InstanceStatus(rawValue: row["status"]) ?? .running, variables: vars, execution: exec,
                             correlationKey: row["correlation_key"], businessKey: row["business_key"],
                             startedAt: Coding.date(row["started_at"] as String) ?? Date(timeIntervalSince1970: 0),
                             endedAt: (row["completed_at"] as String?).flatMap(Coding.date), revision: row["revision"])
    }

    public func activeInstance(definitionId: String, correlationKey: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM process_instances WHERE definition_id = ? AND correlation_key = ? AND status IN ('running', 'suspended') LIMIT 1",
                                arguments: [definitionId, correlationKey])
        }
    }

    public func activeInstances(definitionIds: [String], correlationKeys: [String]) async throws -> [String: [String: String]] {
        guard !correlationKeys.isEmpty, !definitionIds.isEmpty else { return [:] }
        return try await pool.read { db in
            var out: [String: [String: String]] = [:]
            let defMarks = Array(repeating: "?", count: definitionIds.count).joined(separator: ",")
            // keys in chunks below SQLite's variable limit; the partial unique index serves each pair
            let size = max(1, 30_000 - definitionIds.count)
            for start in stride(from: 0, to: correlationKeys.count, by: size) {
                let chunk = Array(correlationKeys[start..<min(start + size, correlationKeys.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                // not cached: the statement's text varies with the number of keys
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT definition_id, correlation_key, id FROM process_instances
                    WHERE definition_id IN (\(defMarks)) AND correlation_key IN (\(marks)) AND status IN ('running', 'suspended')
                    """, arguments: StatementArguments(definitionIds + chunk))
                while let row = try rows.next() { out[row["definition_id"], default: [:]][row["correlation_key"]] = row["id"] }
            }
            return out
        }
    }

    /// Variables that instance queries filter on get an expression index the first time (at
    /// most `maxVariableIndexes`, plain names only): the first such query pays for building it,
    /// later ones use it. Writes maintain each index, so the number is capped.
    public static let maxVariableIndexes = 16
    let variableIndexes = Locked<Set<String>?>(nil)

    func ensureVariableIndex(_ name: String) async throws -> Bool {
        guard name.count <= 60, let f = name.first, f.isASCII, f.isLetter || f == "_",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return false }
        if variableIndexes.withLock({ $0 }) == nil {
            let existing = try await pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'process_instances_var_%'")
            }
            variableIndexes.withLock { $0 = Set(existing.map { String($0.dropFirst("process_instances_var_".count)) }) }
        }
        let known = variableIndexes.withLock { $0 ?? [] }
        if known.contains(name) { return true }
        guard known.count < Self.maxVariableIndexes else { return true }  // still literal; a scan, no new index
        try await pool.write { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS process_instances_var_\(name) ON process_instances(json_extract(variables, '$.\(name)'))")
        }
        _ = variableIndexes.withLock { $0?.insert(name) }
        return true
    }

    public func countInstances(status: InstanceStatus?) async throws -> Int {
        try await pool.read { db in
            if let status {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM process_instances WHERE status = ?", arguments: [status.rawValue]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM process_instances") ?? 0
        }
    }

    // MARK: commit

    public func commit(_ batch: CommitBatch) async throws {
        if let failure = await queuedCommit(batch).failure { throw failure }
    }

    /// Encodes the rows in the call (JSON, dates, ids), then queues the write on the writer's
    /// serial queue: queued writes follow one another without a hand-off between them, and
    /// the writer's serial section only binds and steps.
    public func queueCommit(_ batch: CommitBatch, done: @escaping @Sendable ((any Error)?, Double) -> Void) {
        if batch.isEmpty { return done(nil, 0) }
        let rows = SQLiteCommit.encode(batch)
        let started = Locked<UInt64>(0)
        pool.asyncWrite({ db in
            started.withLock { $0 = DispatchTime.now().uptimeNanoseconds }
            try SQLiteCommit.write(batch, rows, db)
        }, completion: { _, result in
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.withLock { $0 }) / 1e9
            switch result {
            case .success: done(nil, seconds)
            case .failure(let e): done(e, seconds)
            }
        })
    }

    // MARK: timers, jobs

    public func dueTimers(before date: Date, limit: Int) async throws -> [TimerRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?", arguments: [Coding.iso(date), limit]).map {
                TimerRecord(id: $0["id"], instanceId: $0["instance_id"], elementId: $0["element_id"], dueAt: Coding.date($0["due_at"] as String) ?? date,
                            data: ($0["data"] as String?).flatMap { try? JSON.parse($0) })
            }
        }
    }

    public func nextTimerDue() async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT MIN(due_at) FROM timers").flatMap(Coding.date)
        }
    }

    public func pendingJobs(limit: Int) async throws -> [JobRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY created_at LIMIT ?", arguments: [limit]).map(Self.job)
        }
    }

    static func job(_ r: Row) -> JobRecord {
        var j = JobRecord(id: r["id"], instanceId: r["instance_id"], definitionId: r["definition_id"], elementId: r["element_id"],
                          action: r["action"], payload: (try? JSON.parse(r["payload"] as String)) ?? .null, attempt: r["attempt"],
                          createdAt: Coding.date(r["created_at"] as String) ?? Date(),
                          variables: (r["variables"] as String?).flatMap { try? JSON.parse($0).contextValue })
        j.external = (r["external"] as Int?) == 1
        j.priority = (r["priority"] as Int?) ?? 50
        return j
    }

    public func activateJobs(type: String, worker: String, max: Int, until: Date, now: Date) async throws -> [JobRecord] {
        try await pool.write { db in
            let select = try db.cachedStatement(sql: """
                SELECT *,
                    (SELECT definition_version FROM process_instances WHERE id = jobs.instance_id) AS instance_version
                FROM jobs WHERE action = ? AND external = 1 AND (locked_until IS NULL OR locked_until <= ?)
                ORDER BY priority DESC, created_at, id LIMIT ?
                """)
            let rows = try Row.fetchAll(select, arguments: [type, Coding.iso(now), max])
            let lock = try db.cachedStatement(sql: "UPDATE jobs SET locked_by = ?, locked_until = ? WHERE id = ?")
            for r in rows { try lock.execute(arguments: [worker, Coding.iso(until), r["id"] as String]) }
            return rows.map { r in
                var j = Self.job(r)
                j.definitionVersion = r["instance_version"]
                return j
            }
        }
    }

    public func job(_ id: String) async throws -> (job: JobRecord, lockedBy: String?)? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ?"), arguments: [id])
                .map { (Self.job($0), $0["locked_by"]) }
        }
    }

    // MARK: messages

    public func subscription(name: String, correlationKey: String?) async throws -> MessageSubscription? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM message_subscriptions WHERE name = ? AND correlation_key IS ? ORDER BY created_at, id LIMIT 1",
                             arguments: [name, correlationKey]).map(Self.subscription)
        }
    }

    static func subscription(_ r: Row) -> MessageSubscription {
        MessageSubscription(id: r["id"], instanceId: r["instance_id"], elementId: r["element_id"], name: r["name"],
                            correlationKey: r["correlation_key"], createdAt: Coding.date(r["created_at"] as String) ?? Date())
    }

    public func subscriptions(name: String, limit: Int) async throws -> [MessageSubscription] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_subscriptions WHERE name = ? ORDER BY created_at, id LIMIT ?", arguments: [name, limit]).map(Self.subscription)
        }
    }

    public func bufferedMessage(name: String, correlationKey: String?, at: Date) async throws -> BufferedMessage? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM buffered_messages WHERE name = ? AND correlation_key IS ? AND expires_at > ? ORDER BY id LIMIT 1",
                             arguments: [name, correlationKey, Coding.iso(at)]).map {
                BufferedMessage(id: $0["id"], message: PublishedMessage(name: $0["name"], correlationKey: $0["correlation_key"],
                                                                         variables: (try? JSON.parse($0["variables"] as String))?.contextValue ?? [:]),
                                expiresAt: Coding.date($0["expires_at"] as String) ?? at)
            }
        }
    }

    // MARK: event intake

    public func consumerOffsets(group: String) async throws -> [StoredOffset] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = ?", arguments: [group]).map {
                StoredOffset(topic: $0["topic"], partition: $0["partition"], next: $0["next_offset"])
            }
        }
    }

    public func resetConsumerOffsets(group: String, topic: String, partition: Int32?, to next: Int64)
        async throws -> Int
    {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE consumer_offsets SET next_offset = ?, updated_at = ?
                WHERE group_id = ? AND topic = ? AND (? < 0 OR partition = ?)
                """, arguments: [next, Coding.iso(Date()), group, topic, partition ?? -1, partition ?? -1])
            return db.changesCount
        }
    }

    public func eventWindow(definitionId: String, key: String) async throws -> Value? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM event_windows WHERE definition_id = ? AND correlation_key = ?", arguments: [definitionId, key])
                .flatMap { try? JSON.parse($0) }
        }
    }

    public func startRecord(key: String) async throws -> StartRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM start_requests WHERE idempotency_key = ?", arguments: [key]).map {
                StartRecord(key: $0["idempotency_key"], definitionId: $0["definition_id"], instanceId: $0["instance_id"],
                            status: $0["status"], response: $0["response"],
                            createdAt: Coding.date($0["created_at"] as String) ?? Date())
            }
        }
    }

    public func outbox(limit: Int) async throws -> [OutboxRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id LIMIT ?", arguments: [limit]).map {
                OutboxRecord(id: $0["id"], topic: $0["topic"], key: $0["key"], payload: $0["payload"], createdAt: Coding.date($0["created_at"] as String) ?? Date())
            }
        }
    }

    public func deleteOutbox(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            let stmt = try db.cachedStatement(sql: "DELETE FROM outbox WHERE id = ?")
            for id in ids { try stmt.execute(arguments: [id]) }
        }
    }

    // MARK: history, tasks, incidents, logs

    public func history(instanceId: String) async throws -> [HistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM process_history WHERE instance_id = ? ORDER BY seq", arguments: [instanceId]).map {
                HistoryEntry(instanceId: $0["instance_id"], elementId: $0["activity_id"], elementType: $0["activity_type"],
                             event: $0["event_type"], at: Coding.date($0["timestamp"] as String) ?? Date(),
                             data: ($0["data"] as String?).flatMap { try? JSON.parse($0) },
                             elementInstanceId: $0["element_instance_id"])
            }
        }
    }

    public func userTask(_ id: String) async throws -> UserTaskRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM user_tasks WHERE id = ?", arguments: [id]).map(Self.task) }
    }

    public func userTasks(_ q: TaskQuery) async throws -> [UserTaskRecord] {
        var sql = "SELECT * FROM user_tasks WHERE 1=1"
        var args: [(any DatabaseValueConvertible)?] = []
        if let s = q.status { sql += " AND status = ?"; args.append(s) }
        if let a = q.assignee { sql += " AND assignee = ?"; args.append(a) }
        if let g = q.candidateGroup { sql += " AND EXISTS (SELECT 1 FROM json_each(user_tasks.candidate_groups) WHERE value = ?)"; args.append(g) }
        if let i = q.instanceId { sql += " AND instance_id = ?"; args.append(i) }
        if let d = q.definitionId { sql += " AND definition_id = ?"; args.append(d) }
        if let p = q.minPriority { sql += " AND priority >= ?"; args.append(p) }
        if let d = q.dueBefore { sql += " AND due_at < ?"; args.append(Coding.iso(d)) }
        if let d = q.dueAfter { sql += " AND due_at >= ?"; args.append(Coding.iso(d)) }
        if let d = q.followUpBefore { sql += " AND follow_up_at < ?"; args.append(Coding.iso(d)) }
        switch q.sort {
        case .priority: sql += " ORDER BY priority DESC, created_at, id"
        case .created: sql += " ORDER BY created_at, id"
        case .due: sql += " ORDER BY due_at IS NULL, due_at, priority DESC, id"
        case .followUp: sql += " ORDER BY follow_up_at IS NULL, follow_up_at, priority DESC, id"
        }
        sql += " LIMIT ? OFFSET ?"
        args.append(q.limit)
        args.append(q.offset)
        let arguments = StatementArguments(args)
        let query = sql
        return try await pool.read { db in try Row.fetchAll(db, sql: query, arguments: arguments).map(Self.task) }
    }

    static func task(_ r: Row) -> UserTaskRecord {
        func list(_ s: String?) -> [String] { ((try? JSON.parse(s ?? "[]"))?.listValue ?? []).compactMap(\.stringValue) }
        return UserTaskRecord(id: r["id"], instanceId: r["instance_id"], definitionId: r["definition_id"], elementId: r["element_id"],
                              name: r["name"], assignee: r["assignee"], candidateUsers: list(r["candidate_users"]),
                              candidateGroups: list(r["candidate_groups"]), priority: r["priority"],
                              form: (r["form"] as String?).flatMap { try? JSON.parse($0) }, description: r["description"],
                              status: r["status"], createdAt: Coding.date(r["created_at"] as String) ?? Date(),
                              completedAt: (r["completed_at"] as String?).flatMap(Coding.date),
                              dueAt: (r["due_at"] as String?).flatMap(Coding.date), followUpAt: (r["follow_up_at"] as String?).flatMap(Coding.date))
    }

    public func assignTask(_ id: String, assignee: String?, onlyIfUnassigned: Bool) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE user_tasks SET assignee = ? WHERE id = ? AND status = 'open'" + (onlyIfUnassigned ? " AND assignee IS NULL" : ""),
                           arguments: [assignee, id])
            return db.changesCount == 1
        }
    }

    public func incidents(instanceId: String?, openOnly: Bool) async throws -> [IncidentRecord] {
        var sql = "SELECT * FROM incidents WHERE 1=1"
        var args: [(any DatabaseValueConvertible)?] = []
        if let i = instanceId { sql += " AND instance_id = ?"; args.append(i) }
        if openOnly { sql += " AND resolved_at IS NULL" }
        sql += " ORDER BY created_at, id LIMIT 1000"
        let arguments = StatementArguments(args)
        let query = sql
        return try await pool.read { db in try Row.fetchAll(db, sql: query, arguments: arguments).map(Self.incident) }
    }

    public func incidents(_ q: IncidentQuery) async throws -> [IncidentRecord] {
        let (conditions, values) = q.conditions
        let sql = """
            SELECT i.* FROM incidents i LEFT JOIN process_instances p ON p.id = i.instance_id
            WHERE \(conditions) ORDER BY i.created_at, i.id LIMIT ? OFFSET ?
            """
        var args: [(any DatabaseValueConvertible)?] = values
        args.append(q.limit)
        args.append(q.offset)
        let arguments = StatementArguments(args)
        return try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.incident) }
    }

    public func incident(_ id: String) async throws -> IncidentRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map(Self.incident) }
    }

    static func incident(_ r: Row) -> IncidentRecord {
        IncidentRecord(incident: Incident(id: r["id"], instanceId: r["instance_id"], elementId: r["element_id"], type: r["type"],
                                          message: r["message"], jobId: r["job_id"], createdAt: Coding.date(r["created_at"] as String) ?? Date()),
                       resolvedAt: (r["resolved_at"] as String?).flatMap(Coding.date))
    }

    public func appendLog(_ log: LogRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO process_logs (id, instance_id, element_id, level, message, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [log.id, log.instanceId, log.elementId, log.level, log.message, log.data.map(JSON.encode), Coding.iso(log.createdAt)])
        }
    }

    public func logs(instanceId: String?) async throws -> [LogRecord] {
        try await pool.read { db in
            let rows = instanceId == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM process_logs ORDER BY created_at, id LIMIT 1000")
                : try Row.fetchAll(db, sql: "SELECT * FROM process_logs WHERE instance_id = ? ORDER BY created_at, id", arguments: [instanceId])
            return rows.map {
                LogRecord(id: $0["id"], instanceId: $0["instance_id"], elementId: $0["element_id"], level: $0["level"], message: $0["message"],
                          data: ($0["data"] as String?).flatMap { try? JSON.parse($0) }, createdAt: Coding.date($0["created_at"] as String) ?? Date())
            }
        }
    }
}
