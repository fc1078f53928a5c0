import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The store on PostgreSQL (or TimescaleDB): a pooled PostgresNIO client, the plan's schema,
/// one transaction per commit with batched statements (arrays unnested server-side), and row
/// claims (`FOR UPDATE SKIP LOCKED`) so several engine processes share timers and jobs.
public final class PostgresStore: ProcessStore, @unchecked Sendable {
    let client: PostgresClient
    let logger: Logger
    let runTask: Task<Void, Never>
    /// Longest a store call may take before it fails as unavailable (a database restart, a
    /// network partition): API calls then answer 503 instead of hanging.
    public var operationTimeout: Double = 8
    /// Whether the server had the `timescaledb` extension at migration time.
    public private(set) var timescale = false

    public var sharedByReplicas: Bool { true }

    /// Opens a pool for a `postgres://user:password@host:port/database` URL
    /// (`?sslmode=disable|prefer|require`, default prefer).
    public init(url: String, maxConnections: Int = 20, logger: Logger = Logger(label: "bpm.postgres")) throws {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? "") else {
            throw StoreError.unavailable("not a postgres:// URL: \(url)")
        }
        let user = c.user ?? "postgres"
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let mode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        var config = PostgresClient.Configuration(host: c.host ?? "127.0.0.1", port: c.port ?? 5432, username: user,
                                                  password: c.password?.removingPercentEncoding, database: db.isEmpty ? user : db,
                                                  tls: mode == "disable" ? .disable : mode == "require" ? .require(.makeClientConfiguration()) : .prefer(.makeClientConfiguration()))
        config.options.maximumConnections = maxConnections
        config.options.connectTimeout = .seconds(3)
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)  // the pool's reconnect chatter
        client = PostgresClient(configuration: config, backgroundLogger: background)
        self.logger = logger
        let c2 = client
        runTask = Task { await c2.run() }
    }

    deinit { runTask.cancel() }

    /// Runs a store operation, failing as `StoreError.unavailable` after `operationTimeout`
    /// seconds or when the server cannot be reached. On the timeout the operation is
    /// cancelled and the caller answered at once, without waiting for it to notice: a query
    /// stuck on a dead connection (a stopped or restarting server) must not hold up the
    /// timer loop or a request past the bound. (A commit that times out has an unknown
    /// outcome either way; instance versions make a retry of it conflict, not apply twice.)
    func op<T: Sendable>(timeout: Double? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = timeout ?? operationTimeout
        let race = OnceValue<Result<T, any Error>>()
        let work = Task {
            do { race.set(.success(try await body())) } catch { race.set(.failure(Self.classify(error))) }
        }
        let timer = Task {
            try await Task.sleep(nanoseconds: UInt64(limit * 1e9))
            race.set(.failure(StoreError.unavailable("PostgreSQL did not answer within \(Int(limit)) s (the operation was abandoned; a change it made may still take effect)")))
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            let r = try await race.value.get()
            timer.cancel()
            return r
        } onCancel: {
            race.set(.failure(CancellationError()))
            work.cancel()
            timer.cancel()
        }
    }

    /// Store errors the runtime understands: conflicts (a unique key taken, a serialisation
    /// failure) and unavailability (no connection); other server errors as they are.
    static func classify(_ error: any Error) -> any Error {
        switch error {
        case let e as StoreError: return e
        case is CancellationError: return error
        case let e as PostgresTransactionError:
            if let inner = e.closureError ?? e.beginError ?? e.commitError { return classify(inner) }
            return StoreError.unavailable("\(e)")
        case let e as PSQLError:
            if let code = e.serverInfo?[.sqlState] {
                if ["23505", "40001", "40P01"].contains(code) { return StoreError.conflict(instanceId: e.serverInfo?[.constraintName] ?? "") }
                if code.hasPrefix("08") || code.hasPrefix("57P") { return StoreError.unavailable(e.serverInfo?[.message] ?? code) }
                return e
            }
            return StoreError.unavailable("\(e.code)")
        default:
            return StoreError.unavailable("\(error)")
        }
    }

    // MARK: schema

    /// Creates a fresh database on the server of `serverURL` (for benchmarks); returns its
    /// URL and a function that drops it.
    public static func scratchDatabase(serverURL: String, prefix: String) async throws -> (String, @Sendable () async -> Void) {
        guard var c = URLComponents(string: serverURL) else { throw StoreError.unavailable("not a URL: \(serverURL)") }
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PostgresStore(url: serverURL, maxConnections: 1)
        try await admin.exec(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        c.path = "/" + name
        let url = c.string ?? serverURL
        return (url, {
            _ = try? await admin.exec(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        })
    }

    /// The statements that turn on TimescaleDB when the server has it (empty without).
    public static func timescaleStatements(available: Bool) -> [String] { PostgresSchema.timescaleStatements(available: available) }

    /// Longest the migrations may take (schema changes on big tables take a while; replicas
    /// starting together wait for the advisory lock).
    public var migrationTimeout: Double = 600

    public func migrate() async throws {
        try await op(timeout: migrationTimeout) { [self] in
            try await client.withConnection { conn in
                // one migrator at a time across replicas; the lock ends with the session
                try await conn.query("SELECT pg_advisory_lock(727274001)", logger: logger)
                do {
                    try await conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
                    var applied: Set<String> = []
                    for try await name in try await conn.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) { applied.insert(name) }
                    for m in PostgresSchema.migrations where !applied.contains(m.name) {
                        try await conn.withTransaction(logger: logger) { tx in
                            // one statement at a time: the extended protocol takes one per query
                            for statement in m.sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                                try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                            }
                            try await tx.query("INSERT INTO schema_migrations (name) VALUES (\(m.name))", logger: logger)
                        }
                        logger.info("applied migration \(m.name)")
                    }
                    var available = false
                    for try await n in try await conn.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'", logger: logger).decode(Int.self) { available = n > 0 }
                    for s in PostgresSchema.timescaleStatements(available: available) { try await conn.query(PostgresQuery(unsafeSQL: s), logger: logger) }
                    self.timescale = available
                    try await conn.query("SELECT pg_advisory_unlock(727274001)", logger: logger)
                } catch {
                    _ = try? await conn.query("SELECT pg_advisory_unlock(727274001)", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Refreshes the planner's statistics (after a bulk load; autovacuum does it in time).
    public func analyze() async throws { try await exec("ANALYZE") }

    // MARK: helpers

    func rows(_ q: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        let client = self.client, logger = self.logger
        return try await op {
            var out: [PostgresRandomAccessRow] = []
            for try await r in try await client.query(q, logger: logger) { out.append(r.makeRandomAccess()) }
            return out
        }
    }

    func exec(_ q: PostgresQuery) async throws {
        let client = self.client, logger = self.logger
        _ = try await op { try await client.query(q, logger: logger) }
    }

    static func str(_ r: PostgresRandomAccessRow, _ c: String) throws -> String { try r[c].decode(String.self) }
    static func optStr(_ r: PostgresRandomAccessRow, _ c: String) throws -> String? { try r[c].decode(String?.self) }
    static func int(_ r: PostgresRandomAccessRow, _ c: String) throws -> Int { try r[c].decode(Int.self) }
    static func date(_ r: PostgresRandomAccessRow, _ c: String) throws -> Date { try r[c].decode(Date.self) }
    static func optDate(_ r: PostgresRandomAccessRow, _ c: String) throws -> Date? { try r[c].decode(Date?.self) }
    static func json(_ r: PostgresRandomAccessRow, _ c: String) throws -> Value? { try optStr(r, c).flatMap { try? JSON.parse($0) } }

    // MARK: definitions

    public func saveDefinition(id: String, name: String, format: String, source: String, contentHash: String, origin: String, at: Date) async throws -> DefinitionRecord {
        let client = self.client, logger = self.logger
        return try await op {
            try await client.withTransaction(logger: logger) { tx in
                // serialise deployments of one id across replicas
                try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\(id)))", logger: logger)
                var latest: (Int, String, PostgresRandomAccessRow)?
                for try await r in try await tx.query("""
                    SELECT id, version, name, format, source, content_hash, origin, created_at FROM process_definitions
                    WHERE id = \(id) AND deleted_at IS NULL ORDER BY version DESC LIMIT 1
                    """, logger: logger) {
                    let ra = r.makeRandomAccess()
                    latest = (try Self.int(ra, "version"), try Self.str(ra, "content_hash"), ra)
                }
                if let (_, hash, row) = latest, hash == contentHash { return try Self.definition(row) }
                var version = 1  // after the highest, deleted versions too
                for try await r in try await tx.query(
                    "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM process_definitions WHERE id = \(id)",
                    logger: logger
                ) { version = try Self.int(r.makeRandomAccess(), "next") }
                let meta = JSON.encode(.context(["name": .string(name), "format": .string(format), "origin": .string(origin)]))
                try await tx.query("""
                    INSERT INTO process_definitions (id, version, name, format, source, content_hash, origin, definition, created_at)
                    VALUES (\(id), \(version), \(name), \(format), \(source), \(contentHash), \(origin), \(meta)::jsonb, \(at))
                    """, logger: logger)
                return DefinitionRecord(id: id, version: version, name: name, format: format, source: source, contentHash: contentHash, deployedAt: at, origin: origin)
            }
        }
    }

    public func definitions() async throws -> [DefinitionRecord] {
        try await rows("""
            SELECT id, version, name, format, source, content_hash, origin, created_at FROM process_definitions
            WHERE deleted_at IS NULL ORDER BY id, version
            """).map(Self.definition)
    }

    public func deleteDefinition(id: String, version: Int, at: Date) async throws -> Bool {
        let deleted = try await rows("""
            UPDATE process_definitions SET deleted_at = \(at)
            WHERE id = \(id) AND version = \(version) AND deleted_at IS NULL RETURNING id
            """)
        return !deleted.isEmpty
    }

    static func definition(_ r: PostgresRandomAccessRow) throws -> DefinitionRecord {
        DefinitionRecord(id: try str(r, "id"), version: try int(r, "version"), name: try str(r, "name"), format: try str(r, "format"),
                         source: try str(r, "source"), contentHash: try str(r, "content_hash"), deployedAt: try date(r, "created_at"), origin: try str(r, "origin"))
    }

    // MARK: instances

    static let instanceColumns = "id, definition_id, definition_version, status, variables::text AS variables, current_activity, started_at, completed_at, correlation_key, business_key, state::text AS state, revision"

    public func instance(_ id: String) async throws -> InstanceState? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.instanceColumns) FROM process_instances WHERE id = $1", binds: Self.binds(id))).first.map(Self.instanceState)
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var b = PostgresBindings()
        for v in values { b.append(v) }
        return b
    }

    static func instanceState(_ r: PostgresRandomAccessRow) throws -> InstanceState {
        InstanceState(id: try str(r, "id"), definitionId: try str(r, "definition_id"), definitionVersion: try int(r, "definition_version"),
                      status: InstanceStatus(rawValue: try str(r, "status")) ?? .running, variables: try json(r, "variables")?.contextValue ?? [:],
                      execution: try json(r, "state") ?? .context([:]), correlationKey: try optStr(r, "correlation_key"),
                      businessKey: try optStr(r, "business_key"), startedAt: try date(r, "started_at"), endedAt: try optDate(r, "completed_at"),
                      revision: try int(r, "revision"))
    }

    public func activeInstance(definitionId: String, correlationKey: String) async throws -> String? {
        try await rows("SELECT id FROM process_instances WHERE definition_id = \(definitionId) AND correlation_key = \(correlationKey) AND status IN ('running', 'suspended') LIMIT 1")
            .first.map { try Self.str($0, "id") }
    }

    public func activeInstances(definitionIds: [String], correlationKeys: [String]) async throws -> [String: [String: String]] {
        guard !correlationKeys.isEmpty, !definitionIds.isEmpty else { return [:] }
        var out: [String: [String: String]] = [:]
        for r in try await rows("""
            SELECT definition_id, correlation_key, id FROM process_instances
            WHERE definition_id = ANY(\(definitionIds)) AND correlation_key = ANY(\(correlationKeys)) AND status IN ('running', 'suspended')
            """) {
            out[try Self.str(r, "definition_id"), default: [:]][try Self.str(r, "correlation_key")] = try Self.str(r, "id")
        }
        return out
    }

    public func countInstances(status: InstanceStatus?) async throws -> Int {
        let q: PostgresQuery = status.map { "SELECT count(*) AS n FROM process_instances WHERE status = \($0.rawValue)" } ?? "SELECT count(*) AS n FROM process_instances"
        return try await rows(q).first.map { try Self.int($0, "n") } ?? 0
    }

    // MARK: commit

    let commits = CommitChain()

    public func queueCommit(_ batch: CommitBatch, done: @escaping @Sendable ((any Error)?, Double) -> Void) {
        commits.queue({ try await self.commit(batch) }, done: done)
    }

    public func commit(_ batch: CommitBatch) async throws {
        if batch.isEmpty { return }
        let client = self.client, logger = self.logger
        if PostgresCommit.insertsOnly(batch), let one = try await PostgresCommit.combined(batch) {
            // read to its end: an error of the statement (a key stored already) comes with its rows
            try await op { for try await _ in try await client.query(one, logger: logger) {} }
            return
        }
        try await op { try await client.withTransaction(logger: logger) { tx in try await PostgresCommit.write(batch, tx, logger) } }
    }

    // MARK: timers, jobs

    static func timer(_ r: PostgresRandomAccessRow) throws -> TimerRecord {
        TimerRecord(id: try str(r, "id"), instanceId: try str(r, "instance_id"), elementId: try str(r, "element_id"), dueAt: try date(r, "due_at"), data: try json(r, "data"))
    }

    public func dueTimers(before date: Date, limit: Int) async throws -> [TimerRecord] {
        try await rows("SELECT id, instance_id, element_id, due_at, data::text AS data FROM timers WHERE due_at <= \(date) ORDER BY due_at LIMIT \(limit)").map(Self.timer)
    }

    public func claimTimers(before date: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [TimerRecord] {
        try await rows("""
            UPDATE timers SET claimed_by = \(owner), claimed_until = \(leaseUntil)
            WHERE id IN (SELECT id FROM timers WHERE due_at <= \(date) AND (claimed_until IS NULL OR claimed_until < \(date))
                         ORDER BY due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, instance_id, element_id, due_at, data::text AS data
            """).map(Self.timer).sorted { $0.dueAt < $1.dueAt }
    }

    public func nextTimerDue() async throws -> Date? {
        try await rows("SELECT min(due_at) AS d FROM timers").first.flatMap { try Self.optDate($0, "d") }
    }

    static let jobColumns = "id, instance_id, definition_id, element_id, action, payload::text AS payload, attempt, created_at, variables::text AS variables, external, locked_by, priority"

    static func job(_ r: PostgresRandomAccessRow) throws -> JobRecord {
        var j = JobRecord(id: try str(r, "id"), instanceId: try str(r, "instance_id"), definitionId: try str(r, "definition_id"), elementId: try str(r, "element_id"),
                          action: try str(r, "action"), payload: try json(r, "payload") ?? .null, attempt: try int(r, "attempt"),
                          createdAt: try date(r, "created_at"), variables: try json(r, "variables")?.contextValue)
        j.external = try r["external"].decode(Bool.self)
        j.priority = try int(r, "priority")
        return j
    }

    public func pendingJobs(limit: Int) async throws -> [JobRecord] {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.jobColumns) FROM jobs ORDER BY created_at LIMIT \(limit)")).map(Self.job)
    }

    public func claimJobs(owner: String, leaseUntil: Date, now: Date, limit: Int) async throws -> [JobRecord] {
        try await rows(PostgresQuery(unsafeSQL: """
            UPDATE jobs SET locked_by = $1, locked_until = $2
            WHERE id IN (SELECT id FROM jobs WHERE NOT external AND (locked_until IS NULL OR locked_until < $3)
                         ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.jobColumns)
            """, binds: { var b = PostgresBindings(); b.append(owner); b.append(leaseUntil); b.append(now); b.append(limit); return b }()))
            .map(Self.job).sorted { $0.createdAt < $1.createdAt }
    }

    public func activateJobs(type: String, worker: String, max: Int, until: Date, now: Date) async throws -> [JobRecord] {
        try await rows(PostgresQuery(unsafeSQL: """
            WITH locked AS (
                UPDATE jobs SET locked_by = $1, locked_until = $2
                WHERE id IN (SELECT id FROM jobs
                             WHERE action = $3 AND external AND (locked_until IS NULL OR locked_until <= $4)
                             ORDER BY priority DESC, created_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
                RETURNING \(Self.jobColumns))
            SELECT locked.*, p.definition_version AS instance_version
            FROM locked LEFT JOIN process_instances p ON p.id = locked.instance_id
            """, binds: { var b = PostgresBindings(); b.append(worker); b.append(until); b.append(type); b.append(now); b.append(max); return b }()))
            .map { r in
                var j = try Self.job(r)
                j.definitionVersion = try r["instance_version"].decode(Int?.self)
                return j
            }.sorted { (-$0.priority, $0.createdAt, $0.id) < (-$1.priority, $1.createdAt, $1.id) }
    }

    public func job(_ id: String) async throws -> (job: JobRecord, lockedBy: String?)? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.jobColumns) FROM jobs WHERE id = $1", binds: Self.binds(id))).first.map { (try Self.job($0), try Self.optStr($0, "locked_by")) }
    }

    // MARK: messages

    static func subscription(_ r: PostgresRandomAccessRow) throws -> MessageSubscription {
        MessageSubscription(id: try str(r, "id"), instanceId: try str(r, "instance_id"), elementId: try str(r, "element_id"), name: try str(r, "name"),
                            correlationKey: try optStr(r, "correlation_key"), createdAt: try date(r, "created_at"))
    }

    public func subscription(name: String, correlationKey: String?) async throws -> MessageSubscription? {
        try await rows("SELECT * FROM message_subscriptions WHERE name = \(name) AND correlation_key IS NOT DISTINCT FROM \(correlationKey) ORDER BY created_at, id LIMIT 1")
            .first.map(Self.subscription)
    }

    public func subscriptions(name: String, limit: Int) async throws -> [MessageSubscription] {
        try await rows("SELECT * FROM message_subscriptions WHERE name = \(name) ORDER BY created_at, id LIMIT \(limit)").map(Self.subscription)
    }

    public func bufferedMessage(name: String, correlationKey: String?, at: Date) async throws -> BufferedMessage? {
        try await rows("""
            SELECT id, name, correlation_key, variables::text AS variables, expires_at FROM buffered_messages
            WHERE name = \(name) AND correlation_key IS NOT DISTINCT FROM \(correlationKey) AND expires_at > \(at) ORDER BY id LIMIT 1
            """).first.map { r in
            BufferedMessage(id: try Self.str(r, "id"), message: PublishedMessage(name: try Self.str(r, "name"), correlationKey: try Self.optStr(r, "correlation_key"),
                                                                                 variables: try Self.json(r, "variables")?.contextValue ?? [:]),
                            expiresAt: try Self.date(r, "expires_at"))
        }
    }

    // MARK: event intake

    public func consumerOffsets(group: String) async throws -> [StoredOffset] {
        try await rows("SELECT topic, partition::int8 AS partition, next_offset FROM consumer_offsets WHERE group_id = \(group)").map { r in
            StoredOffset(topic: try Self.str(r, "topic"), partition: Int32(try Self.int(r, "partition")), next: Int64(try Self.int(r, "next_offset")))
        }
    }

    public func resetConsumerOffsets(group: String, topic: String, partition: Int32?, to next: Int64)
        async throws -> Int
    {
        let p = partition.map(Int.init) ?? -1
        return try await rows("""
            UPDATE consumer_offsets SET next_offset = \(Int(next)), updated_at = now()
            WHERE group_id = \(group) AND topic = \(topic) AND (\(p) < 0 OR partition = \(p)) RETURNING partition
            """).count
    }

    public func eventWindow(definitionId: String, key: String) async throws -> Value? {
        try await rows("SELECT state::text AS state FROM event_windows WHERE definition_id = \(definitionId) AND correlation_key = \(key)")
            .first.flatMap { try Self.json($0, "state") }
    }

    public func startRecord(key: String) async throws -> StartRecord? {
        let sql: PostgresQuery = """
            SELECT idempotency_key, definition_id, instance_id, status, response, created_at FROM start_requests
            WHERE idempotency_key = \(key)
            """
        return try await rows(sql).first.map { r in
            StartRecord(key: try Self.str(r, "idempotency_key"), definitionId: try Self.str(r, "definition_id"),
                        instanceId: try Self.str(r, "instance_id"), status: try r["status"].decode(Int.self),
                        response: try Self.str(r, "response"), createdAt: try Self.date(r, "created_at"))
        }
    }

    public func outbox(limit: Int) async throws -> [OutboxRecord] {
        try await rows("SELECT id, topic, key, payload, created_at FROM outbox ORDER BY id LIMIT \(limit)").map { r in
            OutboxRecord(id: try Self.str(r, "id"), topic: try Self.str(r, "topic"), key: try Self.str(r, "key"), payload: try Self.str(r, "payload"),
                         createdAt: try Self.date(r, "created_at"))
        }
    }

    public func deleteOutbox(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await exec("DELETE FROM outbox WHERE id = ANY(\(ids))")
    }

    // MARK: history, tasks, incidents, logs

    public func history(instanceId: String) async throws -> [HistoryEntry] {
        try await rows("""
            SELECT instance_id, activity_id, activity_type, event_type, timestamp, data::text AS data, element_instance_id
            FROM process_history WHERE instance_id = \(instanceId) ORDER BY seq
            """).map { r in
            HistoryEntry(instanceId: try Self.str(r, "instance_id"), elementId: try Self.str(r, "activity_id"), elementType: try Self.str(r, "activity_type"),
                         event: try Self.str(r, "event_type"), at: try Self.date(r, "timestamp"), data: try Self.json(r, "data"),
                         elementInstanceId: try Self.optStr(r, "element_instance_id"))
        }
    }

    static let taskColumns = "id, instance_id, definition_id, element_id, name, assignee, candidate_users::text AS candidate_users, candidate_groups::text AS candidate_groups, priority, form::text AS form, description, status, created_at, completed_at, due_at, follow_up_at"

    static func task(_ r: PostgresRandomAccessRow) throws -> UserTaskRecord {
        func list(_ c: String) throws -> [String] { (try json(r, c)?.listValue ?? []).compactMap(\.stringValue) }
        return UserTaskRecord(id: try str(r, "id"), instanceId: try str(r, "instance_id"), definitionId: try str(r, "definition_id"), elementId: try str(r, "element_id"),
                              name: try optStr(r, "name"), assignee: try optStr(r, "assignee"), candidateUsers: try list("candidate_users"),
                              candidateGroups: try list("candidate_groups"), priority: try int(r, "priority"), form: try json(r, "form"),
                              description: try optStr(r, "description"), status: try str(r, "status"), createdAt: try date(r, "created_at"),
                              completedAt: try optDate(r, "completed_at"), dueAt: try optDate(r, "due_at"), followUpAt: try optDate(r, "follow_up_at"))
    }

    public func userTask(_ id: String) async throws -> UserTaskRecord? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.taskColumns) FROM user_tasks WHERE id = $1", binds: Self.binds(id))).first.map(Self.task)
    }

    public func userTasks(_ q: TaskQuery) async throws -> [UserTaskRecord] {
        var sql = "SELECT \(Self.taskColumns) FROM user_tasks WHERE TRUE"
        var b = PostgresBindings()
        if let s = q.status { b.append(s); sql += " AND status = $\(b.count)" }
        if let a = q.assignee { b.append(a); sql += " AND assignee = $\(b.count)" }
        if let g = q.candidateGroup { b.append(JSON.encode(.list([.string(g)]))); sql += " AND candidate_groups @> $\(b.count)::jsonb" }
        if let i = q.instanceId { b.append(i); sql += " AND instance_id = $\(b.count)" }
        if let d = q.definitionId { b.append(d); sql += " AND definition_id = $\(b.count)" }
        if let p = q.minPriority { b.append(p); sql += " AND priority >= $\(b.count)" }
        if let d = q.dueBefore { b.append(d); sql += " AND due_at < $\(b.count)" }
        if let d = q.dueAfter { b.append(d); sql += " AND due_at >= $\(b.count)" }
        if let d = q.followUpBefore { b.append(d); sql += " AND follow_up_at < $\(b.count)" }
        b.append(q.limit)
        b.append(q.offset)
        switch q.sort {
        case .priority: sql += " ORDER BY priority DESC, created_at, id"
        case .created: sql += " ORDER BY created_at, id"
        case .due: sql += " ORDER BY due_at NULLS LAST, priority DESC, id"
        case .followUp: sql += " ORDER BY follow_up_at NULLS LAST, priority DESC, id"
        }
        sql += " LIMIT $\(b.count - 1) OFFSET $\(b.count)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).map(Self.task)
    }

    public func assignTask(_ id: String, assignee: String?, onlyIfUnassigned: Bool) async throws -> Bool {
        let sql = "UPDATE user_tasks SET assignee = $1 WHERE id = $2 AND status = 'open'" + (onlyIfUnassigned ? " AND assignee IS NULL" : "") + " RETURNING id"
        var b = PostgresBindings()
        b.append(assignee)
        b.append(id)
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).count == 1
    }

    static func incident(_ r: PostgresRandomAccessRow) throws -> IncidentRecord {
        IncidentRecord(incident: Incident(id: try str(r, "id"), instanceId: try str(r, "instance_id"), elementId: try str(r, "element_id"), type: try str(r, "type"),
                                          message: try str(r, "message"), jobId: try optStr(r, "job_id"), createdAt: try date(r, "created_at")),
                       resolvedAt: try optDate(r, "resolved_at"))
    }

    public func incidents(instanceId: String?, openOnly: Bool) async throws -> [IncidentRecord] {
        var sql = "SELECT * FROM incidents WHERE TRUE"
        var b = PostgresBindings()
        if let i = instanceId { b.append(i); sql += " AND instance_id = $1" }
        if openOnly { sql += " AND resolved_at IS NULL" }
        sql += " ORDER BY created_at, id LIMIT 1000"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).map(Self.incident)
    }

    public func incidents(_ q: IncidentQuery) async throws -> [IncidentRecord] {
        let (conditions, values) = q.conditions
        var b = PostgresBindings()
        var sql = ""
        var n = 0
        for ch in "SELECT i.* FROM incidents i LEFT JOIN process_instances p ON p.id = i.instance_id WHERE \(conditions)" {
            guard ch == "?" else { sql.append(ch); continue }
            b.append(values[n])
            n += 1
            sql += "$\(n)"
        }
        b.append(q.limit)
        b.append(q.offset)
        sql += " ORDER BY i.created_at, i.id LIMIT $\(n + 1) OFFSET $\(n + 2)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).map(Self.incident)
    }

    public func incident(_ id: String) async throws -> IncidentRecord? {
        try await rows("SELECT * FROM incidents WHERE id = \(id)").first.map(Self.incident)
    }

    public func appendLog(_ log: LogRecord) async throws {
        try await exec("""
            INSERT INTO process_logs (id, instance_id, element_id, level, message, data, created_at)
            VALUES (\(log.id), \(log.instanceId), \(log.elementId), \(log.level), \(log.message), \(log.data.map(JSON.encode))::jsonb, \(log.createdAt))
            ON CONFLICT (id) DO NOTHING
            """)
    }

    public func logs(instanceId: String?) async throws -> [LogRecord] {
        let cols = "id, instance_id, element_id, level, message, data::text AS data, created_at"
        let q: PostgresQuery = instanceId.map { PostgresQuery(unsafeSQL: "SELECT \(cols) FROM process_logs WHERE instance_id = $1 ORDER BY created_at, id", binds: Self.binds($0)) }
            ?? PostgresQuery(unsafeSQL: "SELECT \(cols) FROM process_logs ORDER BY created_at, id LIMIT 1000")
        return try await rows(q).map { r in
            LogRecord(id: try Self.str(r, "id"), instanceId: try Self.str(r, "instance_id"), elementId: try Self.str(r, "element_id"), level: try Self.str(r, "level"),
                      message: try Self.str(r, "message"), data: try Self.json(r, "data"), createdAt: try Self.date(r, "created_at"))
        }
    }
}
