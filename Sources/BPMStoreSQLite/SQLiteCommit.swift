import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import GRDB

/// Writes a commit batch with cached prepared statements, inside the caller's transaction.
enum SQLiteCommit {
    /// The values of a batch's instance and history rows (all but each history row's
    /// position, read in the transaction), encoded before the write so the writer's
    /// serial section only binds and steps.
    struct Rows: Sendable {
        var instances: [[SQLValue]] = []
        var history: [[SQLValue]] = []
        /// Each history row's position in its instance's history when the batch creates the
        /// instance (counted here); nil: after the stored ones, read in the transaction.
        var positions: [Int64?] = []
    }

    static func encode(_ batch: CommitBatch) -> Rows {
        var rows = Rows()
        rows.instances.reserveCapacity(batch.instances.count)
        for w in batch.instances {
            let s = w.state
            let vars = SQLValue.text(JSON.encode(s.variables))
            let exec = SQLValue.text(JSON.encode(s.executionValue))
            let current = SQLValue.text(s.tokens.isEmpty ? nil : s.currentActivities.joined(separator: ","))
            let ended = SQLValue.text(s.endedAt.map(Coding.iso))
            let updated = SQLValue.text(Coding.iso(s.endedAt ?? s.startedAt))
            if let expected = w.expectedRevision {
                rows.instances.append([.text(s.status.rawValue), vars, current, ended, exec, .int(s.revision), updated, .int(s.definitionVersion),
                                       .text(s.id), .int(expected)])
            } else {
                rows.instances.append([.text(s.id), .text(s.definitionId), .int(s.definitionVersion), .text(s.status.rawValue), vars, current,
                                       .text(Coding.iso(s.startedAt)), ended, .text(s.correlationKey), .text(s.businessKey), exec,
                                       .int(s.revision), updated, .text(w.uniqueKey)])
            }
        }
        rows.history.reserveCapacity(batch.history.count)
        rows.positions.reserveCapacity(batch.history.count)
        var created: [String: Int64] = [:]
        created.reserveCapacity(batch.instances.count)
        for w in batch.instances where w.expectedRevision == nil { created[w.state.id] = 1 }
        // a batch's entries mostly share a few instants: format each once
        var lastAt = Date.distantPast, lastISO = ""
        for h in batch.history {
            if h.at != lastAt { lastAt = h.at; lastISO = Coding.iso(h.at) }
            rows.history.append([.text(UUIDv7.make(h.at)), .text(h.instanceId), .text(h.elementId), .text(h.elementType), .text(h.event),
                                 .text(lastISO), .text(h.data.map(JSON.encode)), .text(h.elementInstanceId)])
            if let n = created[h.instanceId] {
                rows.positions.append(n)
                created[h.instanceId] = n + 1
            } else {
                rows.positions.append(nil)
            }
        }
        return rows
    }

    static func write(_ batch: CommitBatch, _ rows: Rows, _ db: Database) throws {
        if !batch.offsets.isEmpty {
            let read = try db.cachedStatement(sql: "SELECT next_offset FROM consumer_offsets WHERE group_id = ? AND topic = ? AND partition = ?")
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
                """)
            let at = Coding.iso(Date())
            var stored: [TopicPartition: Int64] = [:]
            for o in batch.offsets {
                stored[o.key] = try Int64.fetchOne(read, arguments: [o.group, o.topic, o.partition])
            }
            if let w = ConsumedPositions.firstConflict(batch.offsets, stored: stored) {
                throw StoreError.offsetConflict(topic: w.topic, partition: w.partition)
            }
            for o in batch.offsets { try upsert.execute(arguments: [o.group, o.topic, o.partition, o.next, at]) }
        }
        if !batch.windows.isEmpty {
            let save = try db.cachedStatement(sql: "INSERT OR REPLACE INTO event_windows (definition_id, correlation_key, state, updated_at) VALUES (?, ?, ?, ?)")
            let delete = try db.cachedStatement(sql: "DELETE FROM event_windows WHERE definition_id = ? AND correlation_key = ?")
            let at = Coding.iso(Date())
            for w in batch.windows {
                if let state = w.state { try save.execute(arguments: [w.definitionId, w.key, JSON.encode(state), at]) } else {
                    try delete.execute(arguments: [w.definitionId, w.key])
                }
            }
        }
        if !batch.outbox.isEmpty {
            let stmt = try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (id, topic, key, payload, created_at) VALUES (?, ?, ?, ?, ?)")
            for o in batch.outbox { try stmt.execute(arguments: [o.id, o.topic, o.key, o.payload, Coding.iso(o.createdAt)]) }
        }
        if !rows.instances.isEmpty {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO process_instances (id, definition_id, definition_version, status, variables, current_activity, started_at,
                    completed_at, correlation_key, business_key, state, revision, updated_at, unique_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE process_instances SET status = ?, variables = ?, current_activity = ?, completed_at = ?, state = ?, revision = ?, updated_at = ?,
                    definition_version = ?
                WHERE id = ? AND revision = ?
                """)
            for (w, values) in zip(batch.instances, rows.instances) {
                if w.expectedRevision != nil {
                    try update.run(values, db)
                    if db.changesCount != 1 { throw StoreError.conflict(instanceId: w.state.id) }
                } else {
                    do { try insert.run(values, db) } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                        // another running instance holds the correlation key (as PostgreSQL's
                        // 23505): a conflict, so the work is applied again on fresh state
                        throw StoreError.conflict(instanceId: w.state.id)
                    }
                }
            }
        }
        try writeStartRecords(batch.startRecords, db)
        try writeScheduleFires(batch.scheduleFires, db)
        if !rows.history.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO process_history (id, instance_id, activity_id, activity_type, event_type, timestamp, data,
                    element_instance_id, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let last = try db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM process_history WHERE instance_id = ?")
            // the next position in the history of each instance the batch did not create: read
            // once per instance and batch
            var next: [String: Int64] = [:]
            for (k, h) in batch.history.enumerated() {
                var seq: Int64
                if let known = rows.positions[k] { seq = known } else if let n = next[h.instanceId] { seq = n } else {
                    seq = (try Int64.fetchOne(last, arguments: [h.instanceId]) ?? 0) + 1
                }
                if rows.positions[k] == nil { next[h.instanceId] = seq + 1 }
                try stmt.run(rows.history[k], then: .int(seq), db)
            }
        }
        if !batch.timersToDelete.isEmpty || !batch.timersFired.isEmpty {
            let stmt = try db.cachedStatement(sql: "DELETE FROM timers WHERE id = ?")
            for id in batch.timersFired + batch.timersToDelete { try stmt.execute(arguments: [id]) }
        }
        if !batch.timersToAdd.isEmpty {
            let stmt = try db.cachedStatement(sql: "INSERT OR REPLACE INTO timers (id, instance_id, element_id, due_at, data) VALUES (?, ?, ?, ?, ?)")
            for t in batch.timersToAdd { try stmt.execute(arguments: [t.id, t.instanceId, t.elementId, Coding.iso(t.dueAt), t.data.map(JSON.encode)]) }
        }
        if !batch.timersToEnsure.isEmpty {
            let stmt = try db.cachedStatement(sql: "INSERT OR IGNORE INTO timers (id, instance_id, element_id, due_at, data) VALUES (?, ?, ?, ?, ?)")
            for t in batch.timersToEnsure { try stmt.execute(arguments: [t.id, t.instanceId, t.elementId, Coding.iso(t.dueAt), t.data.map(JSON.encode)]) }
        }
        if !batch.jobsToDelete.isEmpty {
            let stmt = try db.cachedStatement(sql: "DELETE FROM jobs WHERE id = ?")
            for id in batch.jobsToDelete { try stmt.execute(arguments: [id]) }
        }
        if !batch.jobsToAdd.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO jobs (id, instance_id, definition_id, element_id, action, payload, attempt,
                    created_at, variables, external, priority, locked_by, locked_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for j in batch.jobsToAdd {
                // a job handed to a waiting worker as this batch commits is written activated
                let lock = batch.jobLocks[j.id]
                try stmt.execute(arguments: [j.id, j.instanceId, j.definitionId, j.elementId, j.action, JSON.encode(j.payload), j.attempt, Coding.iso(j.createdAt),
                                             j.variables.map { JSON.encode($0) }, j.external ? 1 : 0, j.priority,
                                             lock?.worker, lock.map { Coding.iso($0.until) }])
            }
        }
        if !batch.tasksToAdd.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO user_tasks (id, instance_id, definition_id, element_id, name, assignee, candidate_users, candidate_groups,
                    priority, form, description, status, created_at, due_at, follow_up_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for t in batch.tasksToAdd {
                try stmt.execute(arguments: [t.id, t.instanceId, t.definitionId, t.elementId, t.name, t.assignee,
                                             JSON.encode(.list(t.candidateUsers.map(Value.string))), JSON.encode(.list(t.candidateGroups.map(Value.string))),
                                             t.priority, t.form.map(JSON.encode), t.description, t.status, Coding.iso(t.createdAt),
                                             t.dueAt.map(Coding.iso), t.followUpAt.map(Coding.iso)])
            }
        }
        if !batch.taskUpdates.isEmpty {
            let stmt = try db.cachedStatement(sql: "UPDATE user_tasks SET status = ?, completed_at = ? WHERE id = ?")
            for u in batch.taskUpdates { try stmt.execute(arguments: [u.status, Coding.iso(u.at), u.id]) }
        }
        for k in batch.taskCorrections {
            try db.execute(sql: "UPDATE user_tasks SET status = ? WHERE id = ? AND completed_at IS NULL",
                           arguments: [k.status, k.id])
            for (column, value) in k.columns.sorted(by: { $0.key < $1.key })
            where TaskCorrection.column.values.contains(column) {
                try db.execute(sql: "UPDATE user_tasks SET \(column) = ? WHERE id = ?", arguments: [value, k.id])
            }
        }
        if !batch.incidentsToAdd.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO incidents (id, instance_id, element_id, type, message, job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for i in batch.incidentsToAdd {
                try stmt.execute(arguments: [i.id, i.instanceId, i.elementId, i.type, i.message, i.jobId, Coding.iso(i.createdAt)])
            }
        }
        if !batch.subscriptionsToDelete.isEmpty {
            let stmt = try db.cachedStatement(sql: "DELETE FROM message_subscriptions WHERE id = ?")
            for id in batch.subscriptionsToDelete { try stmt.execute(arguments: [id]) }
        }
        if !batch.subscriptionsToAdd.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO message_subscriptions (id, instance_id, element_id, name, correlation_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for s in batch.subscriptionsToAdd {
                try stmt.execute(arguments: [s.id, s.instanceId, s.elementId, s.name, s.correlationKey, Coding.iso(s.createdAt)])
            }
        }
        if !batch.bufferedToDelete.isEmpty {
            let stmt = try db.cachedStatement(sql: "DELETE FROM buffered_messages WHERE id = ?")
            for id in batch.bufferedToDelete { try stmt.execute(arguments: [id]) }
        }
        if !batch.messagesToBuffer.isEmpty {
            let stmt = try db.cachedStatement(sql: "INSERT INTO buffered_messages (id, name, correlation_key, variables, expires_at) VALUES (?, ?, ?, ?, ?)")
            for b in batch.messagesToBuffer {
                try stmt.execute(arguments: [b.id, b.message.name, b.message.correlationKey, JSON.encode(b.message.variables), Coding.iso(b.expiresAt)])
            }
        }
        if !batch.incidentsResolved.isEmpty {
            let stmt = try db.cachedStatement(sql: "UPDATE incidents SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL")
            for r in batch.incidentsResolved { try stmt.execute(arguments: [Coding.iso(r.at), r.id]) }
        }
    }

    /// Idempotent API starts: a key stored already (another writer answered it) is a conflict.
    static func writeStartRecords(_ records: [StartRecord], _ db: Database) throws {
        guard !records.isEmpty else { return }
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO start_requests (idempotency_key, definition_id, instance_id, status, response, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for r in records {
            do {
                let at = Coding.iso(r.createdAt)
                try stmt.execute(arguments: [r.key, r.definitionId, r.instanceId, r.status, r.response, at])
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.conflict(instanceId: r.instanceId)
            }
        }
    }
}
