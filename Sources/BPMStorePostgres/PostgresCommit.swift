import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import Logging
import PostgresNIO

/// Writes a commit batch inside the caller's transaction: one statement per table, each
/// row set sent as arrays and unnested on the server (a few round trips per batch, however
/// many instances it holds).
enum PostgresCommit {
    /// Stands for NULL inside a text array (PostgresNIO arrays cannot hold nil); `\u{1}` never
    /// occurs in ids, keys or JSON text.
    static let null = "\u{1}"

    static func opt(_ s: String?) -> String { s ?? null }

    /// The SQL type of each column a task listener may correct.
    static let correctionType = [
        "assignee": "text", "candidate_users": "jsonb", "candidate_groups": "jsonb", "priority": "int4",
        "due_at": "timestamptz", "follow_up_at": "timestamptz",
    ]

    static func write(_ batch: CommitBatch, _ tx: PostgresConnection, _ logger: Logger) async throws {
        func run(_ sql: String, _ columns: [any PostgresArrayColumn]) async throws {
            try await tx.query(query(sql, columns), logger: logger)
        }
        func rows(_ sql: String, _ columns: [any PostgresArrayColumn]) async throws -> [String] {
            var out: [String] = []
            for try await id in try await tx.query(query(sql, columns), logger: logger).decode(String.self) { out.append(id) }
            return out
        }
        if !batch.offsets.isEmpty { try await writeOffsets(batch.offsets, tx, logger, run) }
        try await write(batch, run: run, rows: rows)
    }

    /// The consumed positions: the partitions' stored ones, locked, must be the ones the batch
    /// follows.
    static func writeOffsets(
        _ o: [OffsetWrite], _ tx: PostgresConnection, _ logger: Logger,
        _ run: (String, [any PostgresArrayColumn]) async throws -> Void
    ) async throws {
        var b = PostgresBindings()
        b.append(o[0].group)
        b.append(o.map(\.topic))
        b.append(o.map { Int($0.partition) })
        var stored: [TopicPartition: Int64] = [:]
        let q = PostgresQuery(unsafeSQL: """
            SELECT topic, partition::int8, next_offset FROM consumer_offsets
            WHERE group_id = $1 AND (topic, partition) IN (SELECT t, p::int4 FROM unnest($2::text[], $3::int8[]) AS u(t, p)) FOR UPDATE
            """, binds: b)
        for try await (topic, partition, next) in try await tx.query(q, logger: logger).decode((String, Int, Int64).self) {
            stored[TopicPartition(topic: topic, partition: Int32(partition))] = next
        }
        if let w = ConsumedPositions.firstConflict(o, stored: stored) {
            throw StoreError.offsetConflict(topic: w.topic, partition: w.partition)
        }
        try await run("""
            INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, updated_at)
            SELECT g, t, p::int4, n, now() FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[]) AS u(g, t, p, n)
            ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
            """, [o.map(\.group), o.map(\.topic), o.map { Int($0.partition) }, o.map(\.next)])
    }

    static func query(_ sql: String, _ columns: [any PostgresArrayColumn]) -> PostgresQuery {
        var b = PostgresBindings()
        for c in columns { c.bind(into: &b) }
        return PostgresQuery(unsafeSQL: sql, binds: b)
    }

    /// The batch's statements, in order, through `run` (no rows back) and `rows` (the ids a
    /// checked statement returns).
    static func write(
        _ batch: CommitBatch, run: (String, [any PostgresArrayColumn]) async throws -> Void,
        rows: (String, [any PostgresArrayColumn]) async throws -> [String]
    ) async throws {
        try await writeCheckedWindows(batch.windows.filter(\.checked), rows)
        if batch.windows.contains(where: { !$0.checked }) {
            let saved = batch.windows.filter { !$0.checked && $0.state != nil }
            let deleted = batch.windows.filter { !$0.checked && $0.state == nil }
            if !deleted.isEmpty {
                try await run("""
                    DELETE FROM event_windows w USING unnest($1::text[], $2::text[]) AS u(d, k) WHERE w.definition_id = u.d AND w.correlation_key = u.k
                    """, [deleted.map(\.definitionId), deleted.map(\.key)])
            }
            if !saved.isEmpty {
                try await run("""
                    INSERT INTO event_windows (definition_id, correlation_key, state, updated_at)
                    SELECT d, k, s::jsonb, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u(d, k, s)
                    ON CONFLICT (definition_id, correlation_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """, [saved.map(\.definitionId), saved.map(\.key), saved.map { JSON.encode($0.state ?? .null) }])
            }
        }
        if !batch.outbox.isEmpty {
            let o = batch.outbox
            try await run("""
                INSERT INTO outbox (id, topic, key, payload, created_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) ON CONFLICT (id) DO NOTHING
                """, [o.map(\.id), o.map(\.topic), o.map(\.key), o.map(\.payload), o.map(\.createdAt)])
        }
        let inserts = batch.instances.filter { $0.expectedRevision == nil }.map(\.state)
        let updates = batch.instances.filter { $0.expectedRevision != nil }
        // updates first: an instance that ends frees its correlation key for one started in the same batch
        if !updates.isEmpty {
            let s = updates.map(\.state)
            let changed = try await rows("""
                UPDATE process_instances p SET status = t.st, variables = t.vars::jsonb, current_activity = NULLIF(t.cur, chr(1)),
                    completed_at = NULLIF(t.ca, chr(1))::timestamptz, state = t.ex::jsonb, revision = t.rev, updated_at = t.ua, definition_version = t.dv
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::timestamptz[], $9::int8[], $10::int8[])
                  AS t(id, st, vars, cur, ca, ex, rev, ua, expected, dv)
                WHERE p.id = t.id AND p.revision = t.expected
                RETURNING p.id
                """, [
                    s.map(\.id), s.map(\.status.rawValue), s.map { JSON.encode($0.variables) },
                    s.map { opt($0.tokens.isEmpty ? nil : $0.currentActivities.joined(separator: ",")) }, s.map { opt($0.endedAt.map(Coding.iso)) },
                    s.map { JSON.encode($0.executionValue) }, s.map(\.revision), s.map { $0.endedAt ?? $0.startedAt }, updates.map { $0.expectedRevision ?? 0 },
                    s.map(\.definitionVersion),
                ])
            if changed.count != Set(s.map(\.id)).count {
                let missing = Set(s.map(\.id)).subtracting(changed).sorted().first ?? ""
                throw StoreError.conflict(instanceId: missing)
            }
        }
        if !inserts.isEmpty {
            let s = inserts
            try await run("""
                INSERT INTO process_instances (id, definition_id, definition_version, status, variables, current_activity, started_at,
                    completed_at, correlation_key, business_key, state, revision, updated_at, unique_key)
                SELECT id, d, v, st, vars::jsonb, NULLIF(cur, chr(1)), sa, NULLIF(ca, chr(1))::timestamptz, NULLIF(ck, chr(1)),
                    NULLIF(bk, chr(1)), ex::jsonb, rev, ua, NULLIF(uk, chr(1))
                FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[],
                    $9::text[], $10::text[], $11::text[], $12::int8[], $13::timestamptz[], $14::text[])
                  AS t(id, d, v, st, vars, cur, sa, ca, ck, bk, ex, rev, ua, uk)
                """, [
                    s.map(\.id), s.map(\.definitionId), s.map(\.definitionVersion), s.map(\.status.rawValue), s.map { JSON.encode($0.variables) },
                    s.map { opt($0.tokens.isEmpty ? nil : $0.currentActivities.joined(separator: ",")) }, s.map(\.startedAt),
                    s.map { opt($0.endedAt.map(Coding.iso)) }, s.map { opt($0.correlationKey) }, s.map { opt($0.businessKey) },
                    s.map { JSON.encode($0.executionValue) }, s.map(\.revision), s.map { $0.endedAt ?? $0.startedAt },
                    batch.instances.filter { $0.expectedRevision == nil }.map { opt($0.uniqueKey) },
                ])
        }
        if !batch.startRecords.isEmpty {
            // a key stored already (another replica answered it) fails as 23505: a conflict
            let r = batch.startRecords
            try await run("""
                INSERT INTO start_requests (idempotency_key, definition_id, instance_id, status, response, created_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::timestamptz[])
                """, [r.map(\.key), r.map(\.definitionId), r.map(\.instanceId), r.map(\.status), r.map(\.response), r.map(\.createdAt)])
        }
        if !batch.scheduleFires.isEmpty {
            // a due time stored already (another replica started it) fails as 23505: a conflict
            let f = batch.scheduleFires
            try await run("""
                INSERT INTO schedule_fires (schedule_id, due_at, instance_id, fired_at)
                SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::timestamptz[])
                """, [f.map(\.scheduleId), f.map(\.dueAt), f.map(\.instanceId), f.map(\.firedAt)])
            try await run("""
                DELETE FROM schedule_fires s USING unnest($1::text[], $2::timestamptz[]) AS u(i, d)
                WHERE s.schedule_id = u.i AND s.due_at < u.d
                """, [f.map(\.scheduleId), f.map { $0.dueAt.addingTimeInterval(-ScheduleFire.kept) }])
        }
        if !batch.history.isEmpty {
            let h = batch.history
            try await run("""
                INSERT INTO process_history (id, instance_id, activity_id, activity_type, event_type, timestamp, data, element_instance_id)
                SELECT id::uuid, i, a, ty, e, ts, NULLIF(d, chr(1))::jsonb, NULLIF(ei, chr(1))
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
                    WITH ORDINALITY AS t(id, i, a, ty, e, ts, d, ei, n)
                ORDER BY n
                """, [h.map { UUIDv7.make($0.at) }, h.map(\.instanceId), h.map(\.elementId), h.map(\.elementType), h.map(\.event), h.map(\.at),
                      h.map { opt($0.data.map(JSON.encode)) }, h.map { opt($0.elementInstanceId) }])
        }
        if !batch.timersFired.isEmpty {
            // a fired timer must still be ours: a replica whose claim expired and was taken over
            // must not apply it a second time (start-event timers have no instance revision)
            let gone = try await rows("DELETE FROM timers WHERE id = ANY($1::text[]) AND claimed_by = $2 RETURNING id", [batch.timersFired, SingleText(batch.owner ?? "")])
            if gone.count != Set(batch.timersFired).count { throw StoreError.conflict(instanceId: "") }
        }
        if !batch.timersToDelete.isEmpty {
            try await run("DELETE FROM timers WHERE id = ANY($1::text[])", [batch.timersToDelete])
        }
        func timers(_ t: [TimerRecord], _ conflict: String) async throws {
            guard !t.isEmpty else { return }
            try await run("""
                INSERT INTO timers (id, instance_id, element_id, due_at, data)
                SELECT id, i, e, d, NULLIF(x, chr(1))::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS t(id, i, e, d, x)
                ON CONFLICT (id) \(conflict)
                """, [t.map(\.id), t.map(\.instanceId), t.map(\.elementId), t.map(\.dueAt), t.map { opt($0.data.map(JSON.encode)) }])
        }
        try await timers(batch.timersToAdd, "DO UPDATE SET instance_id = excluded.instance_id, element_id = excluded.element_id, due_at = excluded.due_at, data = excluded.data, claimed_by = NULL, claimed_until = NULL")
        try await timers(batch.timersToEnsure, "DO NOTHING")
        if !batch.jobsToDelete.isEmpty {
            try await run("DELETE FROM jobs WHERE id = ANY($1::text[])", [batch.jobsToDelete])
        }
        if !batch.jobsToAdd.isEmpty {
            let j = batch.jobsToAdd
            // jobs this process will run are leased to it; a replica that dies leaves them to expire
            let owner = batch.owner ?? null
            let lease = batch.leaseUntil.map(Coding.iso) ?? null
            try await run("""
                INSERT INTO jobs (id, instance_id, definition_id, element_id, action, payload, attempt, created_at, variables, external, locked_by, locked_until, priority)
                SELECT id, i, d, e, a, p::jsonb, at, c, NULLIF(v, chr(1))::jsonb, x,
                       CASE WHEN x THEN NULLIF(lb, chr(1)) ELSE NULLIF($11, chr(1)) END,
                       CASE WHEN x THEN NULLIF(lu, chr(1))::timestamptz ELSE NULLIF($12, chr(1))::timestamptz END, pr
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[],
                            $8::timestamptz[], $9::text[], $10::bool[], $13::int8[], $14::text[], $15::text[])
                  AS t(id, i, d, e, a, p, at, c, v, x, pr, lb, lu)
                ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, attempt = excluded.attempt, created_at = excluded.created_at,
                    variables = excluded.variables, external = excluded.external, locked_by = excluded.locked_by, locked_until = excluded.locked_until,
                    priority = excluded.priority
                """, [j.map(\.id), j.map(\.instanceId), j.map(\.definitionId), j.map(\.elementId), j.map(\.action), j.map { JSON.encode($0.payload) },
                      j.map(\.attempt), j.map(\.createdAt), j.map { opt($0.variables.map { JSON.encode($0) }) }, j.map(\.external),
                      SingleText(owner), SingleText(lease), j.map(\.priority),
                      // external jobs handed to a waiting worker as this batch commits are written activated
                      j.map { opt(batch.jobLocks[$0.id]?.worker) },
                      j.map { opt(batch.jobLocks[$0.id].map { Coding.iso($0.until) }) }])
        }
        if !batch.tasksToAdd.isEmpty {
            let t = batch.tasksToAdd
            try await run("""
                INSERT INTO user_tasks (id, instance_id, definition_id, element_id, name, assignee, candidate_users, candidate_groups, priority, form, description, status, created_at,
                    due_at, follow_up_at)
                SELECT id, i, d, e, NULLIF(n, chr(1)), NULLIF(a, chr(1)), cu::jsonb, cg::jsonb, p, NULLIF(f, chr(1))::jsonb, NULLIF(ds, chr(1)), s, c,
                    NULLIF(du, chr(1))::timestamptz, NULLIF(fu, chr(1))::timestamptz
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::timestamptz[],
                            $14::text[], $15::text[])
                  AS t(id, i, d, e, n, a, cu, cg, p, f, ds, s, c, du, fu)
                """, [t.map(\.id), t.map(\.instanceId), t.map(\.definitionId), t.map(\.elementId), t.map { opt($0.name) }, t.map { opt($0.assignee) },
                      t.map { JSON.encode(.list($0.candidateUsers.map(Value.string))) }, t.map { JSON.encode(.list($0.candidateGroups.map(Value.string))) },
                      t.map(\.priority), t.map { opt($0.form.map(JSON.encode)) }, t.map { opt($0.description) }, t.map(\.status), t.map(\.createdAt),
                      t.map { opt($0.dueAt.map(Coding.iso)) }, t.map { opt($0.followUpAt.map(Coding.iso)) }])
        }
        if !batch.taskUpdates.isEmpty {
            let u = batch.taskUpdates
            try await run("""
                UPDATE user_tasks k SET status = t.s, completed_at = t.c FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(id, s, c) WHERE k.id = t.id
                """, [u.map(\.id), u.map(\.status), u.map(\.at)])
        }
        for k in batch.taskCorrections {
            try await run("UPDATE user_tasks k SET status = t.s FROM unnest($1::text[], $2::text[]) AS t(id, s) "
                + "WHERE k.id = t.id AND k.completed_at IS NULL", [[k.id], [k.status]])
            for (column, value) in k.columns.sorted(by: { $0.key < $1.key }) {
                guard let type = Self.correctionType[column] else { continue }
                try await run("UPDATE user_tasks k SET \(column) = NULLIF(t.v, chr(1))::\(type) "
                    + "FROM unnest($1::text[], $2::text[]) AS t(id, v) WHERE k.id = t.id", [[k.id], [opt(value)]])
            }
        }
        if !batch.incidentsToAdd.isEmpty {
            let i = batch.incidentsToAdd
            try await run("""
                INSERT INTO incidents (id, instance_id, element_id, type, message, job_id, created_at)
                SELECT id, i, e, ty, m, NULLIF(j, chr(1)), c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS t(id, i, e, ty, m, j, c)
                ON CONFLICT (id) DO NOTHING
                """, [i.map(\.id), i.map(\.instanceId), i.map(\.elementId), i.map(\.type), i.map(\.message), i.map { opt($0.jobId) }, i.map(\.createdAt)])
        }
        if !batch.subscriptionsToDelete.isEmpty {
            try await run("DELETE FROM message_subscriptions WHERE id = ANY($1::text[])", [batch.subscriptionsToDelete])
        }
        if !batch.subscriptionsToAdd.isEmpty {
            let s = batch.subscriptionsToAdd
            try await run("""
                INSERT INTO message_subscriptions (id, instance_id, element_id, name, correlation_key, created_at)
                SELECT id, i, e, n, NULLIF(k, chr(1)), c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS t(id, i, e, n, k, c)
                ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, element_id = excluded.element_id, name = excluded.name,
                    correlation_key = excluded.correlation_key, created_at = excluded.created_at
                """, [s.map(\.id), s.map(\.instanceId), s.map(\.elementId), s.map(\.name), s.map { opt($0.correlationKey) }, s.map(\.createdAt)])
        }
        if !batch.bufferedToDelete.isEmpty {
            let gone = try await rows("DELETE FROM buffered_messages WHERE id = ANY($1::text[]) RETURNING id", [batch.bufferedToDelete])
            // a buffered message is taken once, even when two replicas saw it
            if gone.count != Set(batch.bufferedToDelete).count { throw StoreError.conflict(instanceId: "") }
        }
        if !batch.messagesToBuffer.isEmpty {
            let m = batch.messagesToBuffer
            try await run("""
                INSERT INTO buffered_messages (id, name, correlation_key, variables, expires_at)
                SELECT id, n, NULLIF(k, chr(1)), v::jsonb, x FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS t(id, n, k, v, x)
                """, [m.map(\.id), m.map(\.message.name), m.map { opt($0.message.correlationKey) }, m.map { JSON.encode($0.message.variables) }, m.map(\.expiresAt)])
        }
        if !batch.incidentsResolved.isEmpty {
            let r = batch.incidentsResolved
            try await run("""
                UPDATE incidents i SET resolved_at = t.a FROM unnest($1::text[], $2::timestamptz[]) AS t(id, a) WHERE i.id = t.id AND i.resolved_at IS NULL
                """, [r.map(\.id), r.map(\.at)])
        }
    }
}

/// A value bound as one query parameter: an array column, or a single text.
protocol PostgresArrayColumn {
    func bind(into b: inout PostgresBindings)
}

extension Array: PostgresArrayColumn where Element: PostgresArrayEncodable & PostgresNonThrowingEncodable {
    func bind(into b: inout PostgresBindings) { b.append(self) }
}

struct SingleText: PostgresArrayColumn {
    let value: String
    init(_ v: String) { value = v }
    func bind(into b: inout PostgresBindings) { b.append(value) }
}

extension PostgresCommit {
    /// Windows written only if no other writer changed them since the batch read them (a
    /// throttle's budget, a pattern's run: two replicas on one key must not both start):
    /// each is updated, inserted or deleted from the state read, else the batch conflicts.
    static func writeCheckedWindows(_ w: [WindowWrite], _ rows: (String, [any PostgresArrayColumn]) async throws -> [String])
        async throws
    {
        guard !w.isEmpty else { return }
        let updates = w.filter { $0.expected != nil && $0.state != nil }
        let inserts = w.filter { $0.expected == nil && $0.state != nil }
        let deletes = w.filter { $0.expected != nil && $0.state == nil }
        func encode(_ v: Value?) -> String { JSON.encode(v ?? .null) }
        var changed = 0
        if !updates.isEmpty {
            changed += try await rows("""
                UPDATE event_windows w SET state = u.s::jsonb, updated_at = now()
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(d, k, s, e)
                WHERE w.definition_id = u.d AND w.correlation_key = u.k AND w.state = u.e::jsonb
                RETURNING w.definition_id
                """, [updates.map(\.definitionId), updates.map(\.key), updates.map { encode($0.state) }, updates.map { encode($0.expected) }]).count
        }
        if !inserts.isEmpty {
            changed += try await rows("""
                INSERT INTO event_windows (definition_id, correlation_key, state, updated_at)
                SELECT d, k, s::jsonb, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u(d, k, s)
                ON CONFLICT (definition_id, correlation_key) DO NOTHING RETURNING definition_id
                """, [inserts.map(\.definitionId), inserts.map(\.key), inserts.map { encode($0.state) }]).count
        }
        if !deletes.isEmpty {
            changed += try await rows("""
                DELETE FROM event_windows w USING unnest($1::text[], $2::text[], $3::text[]) AS u(d, k, e)
                WHERE w.definition_id = u.d AND w.correlation_key = u.k AND w.state = u.e::jsonb
                RETURNING w.definition_id
                """, [deletes.map(\.definitionId), deletes.map(\.key), deletes.map { encode($0.expected) }]).count
        }
        if changed != updates.count + inserts.count + deletes.count { throw StoreError.conflict(instanceId: "") }
    }
}
