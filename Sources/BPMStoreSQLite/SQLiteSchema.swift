import BPMStore
import GRDB

/// The schema: the plan's three tables extended as the engine needs, as named, ordered migrations.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("001-plan-tables") { db in
            // The plan's process_definitions, keyed by (id, version) so every version is kept.
            try db.execute(sql: """
                CREATE TABLE process_definitions (
                    id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    format TEXT NOT NULL,
                    source TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    definition TEXT NOT NULL,   -- JSON metadata
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (id, version)
                );
                CREATE TABLE process_instances (
                    id TEXT PRIMARY KEY,
                    definition_id TEXT NOT NULL,
                    definition_version INTEGER NOT NULL,
                    status TEXT NOT NULL,          -- running, completed, failed, terminated
                    variables TEXT NOT NULL,       -- JSON
                    current_activity TEXT,
                    started_at TEXT NOT NULL,
                    completed_at TEXT,
                    correlation_key TEXT,
                    business_key TEXT,
                    state TEXT NOT NULL,           -- JSON: tokens, joins, incidents, counters
                    revision INTEGER NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX process_instances_definition ON process_instances(definition_id, status);
                CREATE INDEX process_instances_status_started ON process_instances(status, started_at);
                CREATE UNIQUE INDEX process_instances_active_key ON process_instances(definition_id, correlation_key)
                    WHERE status = 'running' AND correlation_key IS NOT NULL;
                CREATE INDEX process_instances_business_key ON process_instances(business_key) WHERE business_key IS NOT NULL;
                CREATE TABLE process_history (
                    id TEXT PRIMARY KEY,           -- UUIDv7: inserts append
                    instance_id TEXT NOT NULL REFERENCES process_instances(id),
                    activity_id TEXT NOT NULL,
                    activity_type TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    timestamp TEXT NOT NULL,
                    data TEXT,
                    seq INTEGER NOT NULL
                );
                CREATE INDEX process_history_instance ON process_history(instance_id, seq);
                """)
        }
        m.registerMigration("002-engine-tables") { db in
            try db.execute(sql: """
                CREATE TABLE timers (
                    id TEXT PRIMARY KEY,
                    instance_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    due_at TEXT NOT NULL
                );
                CREATE INDEX timers_due ON timers(due_at);
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,           -- stable across attempts: the idempotency key
                    instance_id TEXT NOT NULL,
                    definition_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX jobs_created ON jobs(created_at);
                CREATE TABLE user_tasks (
                    id TEXT PRIMARY KEY,
                    instance_id TEXT NOT NULL,
                    definition_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    name TEXT,
                    assignee TEXT,
                    candidate_users TEXT NOT NULL,
                    candidate_groups TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    form TEXT,
                    description TEXT,
                    status TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    completed_at TEXT
                );
                CREATE INDEX user_tasks_status ON user_tasks(status, priority, created_at);
                CREATE INDEX user_tasks_instance ON user_tasks(instance_id);
                CREATE INDEX user_tasks_assignee ON user_tasks(assignee, status);
                CREATE TABLE incidents (
                    id TEXT PRIMARY KEY,
                    instance_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    message TEXT NOT NULL,
                    job_id TEXT,
                    created_at TEXT NOT NULL,
                    resolved_at TEXT
                );
                CREATE INDEX incidents_instance ON incidents(instance_id);
                CREATE INDEX incidents_open ON incidents(resolved_at, created_at);
                CREATE TABLE process_logs (
                    id TEXT PRIMARY KEY,           -- the job id: a repeated write is ignored
                    instance_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    level TEXT NOT NULL,
                    message TEXT NOT NULL,
                    data TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX process_logs_instance ON process_logs(instance_id);
                """)
        }
        m.registerMigration("003-job-variables") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN variables TEXT")
        }
        m.registerMigration("004-messages") { db in
            try db.execute(sql: """
                CREATE TABLE message_subscriptions (
                    id TEXT PRIMARY KEY,
                    instance_id TEXT NOT NULL,
                    element_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    correlation_key TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX message_subscriptions_key ON message_subscriptions(name, correlation_key, created_at);
                CREATE TABLE buffered_messages (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    correlation_key TEXT,
                    variables TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE INDEX buffered_messages_key ON buffered_messages(name, correlation_key, expires_at);
                """)
        }
        m.registerMigration("005-timer-data") { db in
            try db.execute(sql: "ALTER TABLE timers ADD COLUMN data TEXT")
        }
        m.registerMigration("006-job-workers") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN external INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE jobs ADD COLUMN locked_by TEXT;
                ALTER TABLE jobs ADD COLUMN locked_until TEXT;
                CREATE INDEX jobs_activatable ON jobs(action, external, locked_until, created_at);
                """)
        }
        m.registerMigration("007-suspended-keeps-its-key") { db in
            // a suspended instance still owns its correlation key
            try db.execute(sql: """
                DROP INDEX process_instances_active_key;
                CREATE UNIQUE INDEX process_instances_active_key ON process_instances(definition_id, correlation_key)
                    WHERE status IN ('running', 'suspended') AND correlation_key IS NOT NULL;
                """)
        }
        m.registerMigration("008-task-dates-and-query-indexes") { db in
            try db.execute(sql: """
                ALTER TABLE user_tasks ADD COLUMN due_at TEXT;
                ALTER TABLE user_tasks ADD COLUMN follow_up_at TEXT;
                CREATE INDEX user_tasks_due ON user_tasks(status, due_at);
                CREATE INDEX user_tasks_definition ON user_tasks(definition_id, status, priority);
                CREATE INDEX process_instances_definition_started ON process_instances(definition_id, status, started_at);
                CREATE INDEX process_instances_started ON process_instances(started_at);
                """)
        }
        m.registerMigration("009-task-assignee-order") { db in
            // an assignee's inbox in priority order without sorting all their tasks
            try db.execute(sql: """
                DROP INDEX user_tasks_assignee;
                CREATE INDEX user_tasks_assignee ON user_tasks(assignee, status, priority DESC, created_at);
                """)
        }
        m.registerMigration("010-job-priority") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 50;
                DROP INDEX jobs_activatable;
                CREATE INDEX jobs_activatable ON jobs(action, external, priority DESC, created_at);
                """)
        }
        m.registerMigration("011-drop-covered-index") { db in
            // (definition_id, status, started_at) serves every query the shorter index did
            try db.execute(sql: "DROP INDEX process_instances_definition")
        }
        m.registerMigration("012-event-intake") { db in
            // consumed Kafka positions (written with the state they changed), event-pattern
            // windows per definition and key, and lifecycle events waiting to be published
            try db.execute(sql: """
                CREATE TABLE consumer_offsets (
                    group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
                    next_offset INTEGER NOT NULL, updated_at TEXT NOT NULL,
                    PRIMARY KEY (group_id, topic, partition));
                CREATE TABLE event_windows (
                    definition_id TEXT NOT NULL, correlation_key TEXT NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL,
                    PRIMARY KEY (definition_id, correlation_key));
                CREATE TABLE outbox (id TEXT PRIMARY KEY, topic TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);
                """)
        }
        m.registerMigration("013-history-clustered-by-instance") { db in
            // history is read only by instance, in order: stored clustered on (instance_id, seq),
            // each row is one B-tree insert instead of three (the rowid table, the unique index
            // on id and the index on instance_id, seq) — twelve rows per straight-through instance.
            // Positions are renumbered per instance in their order, so they are unique. No foreign
            // key (its check was a lookup per row, 6 % of the straight-through rate): history rows
            // are written only in the transaction that writes their instance, and instances are
            // never deleted.
            try db.execute(sql: """
                CREATE TABLE process_history_clustered (
                    instance_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    id TEXT NOT NULL,              -- UUIDv7
                    activity_id TEXT NOT NULL,
                    activity_type TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    timestamp TEXT NOT NULL,
                    data TEXT,
                    PRIMARY KEY (instance_id, seq)
                ) WITHOUT ROWID;
                INSERT INTO process_history_clustered (instance_id, seq, id, activity_id, activity_type, event_type, timestamp, data)
                    SELECT instance_id, ROW_NUMBER() OVER (PARTITION BY instance_id ORDER BY seq, rowid), id, activity_id, activity_type,
                        event_type, timestamp, data
                    FROM process_history;
                DROP TABLE process_history;
                ALTER TABLE process_history_clustered RENAME TO process_history;
                """)
        }
        m.registerMigration("014-history-element-instances") { db in
            // which activation of an element a row is about: a multi-instance body and each of
            // its instances have their own (nil where an element is activated once in its scope)
            try db.execute(sql: "ALTER TABLE process_history ADD COLUMN element_instance_id TEXT")
        }
        m.registerMigration("015-instance-list-orders") { db in
            // the instance list sorted by end time
            try db.execute(sql: "CREATE INDEX process_instances_completed ON process_instances(completed_at)")
        }
        m.registerMigration("016-flow-control") { db in
            // one running instance per business key of a definition declared unique (the key is
            // copied to unique_key only for those), and the answers of idempotent API starts
            try db.execute(sql: """
                ALTER TABLE process_instances ADD COLUMN unique_key TEXT;
                CREATE UNIQUE INDEX process_instances_unique_key ON process_instances(definition_id, unique_key)
                    WHERE status IN ('running', 'suspended') AND unique_key IS NOT NULL;
                CREATE TABLE start_requests (
                    idempotency_key TEXT PRIMARY KEY, definition_id TEXT NOT NULL, instance_id TEXT NOT NULL,
                    status INTEGER NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL);
                """)
        }
        m.registerMigration("017-camunda-keys") { db in
            // Zeebe-style int64 keys of the objects Camunda's protocols expose (docs/camunda.md)
            try db.execute(sql: """
                CREATE TABLE camunda_keys (
                    number INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL,
                    UNIQUE (kind, id));
                """)
        }
        m.registerMigration("018-camunda-message-ids") { db in
            // published messages' messageIds while they are buffered (shared by replicas); one-off keys
            // (messages, signals, evaluations, commands) keep no row any more: those written before go
            try db.execute(sql: """
                CREATE TABLE camunda_message_ids (
                    name TEXT NOT NULL, message_id TEXT NOT NULL, expires_at TEXT NOT NULL,
                    PRIMARY KEY (name, message_id));
                CREATE INDEX camunda_message_ids_expiry ON camunda_message_ids(expires_at);
                DELETE FROM camunda_keys WHERE kind IN ('message', 'signal', 'di', 'command');
                """)
        }
        m.registerMigration("019-definition-deletion") { db in
            // decisions and forms deleted through Camunda's DeleteResource keep their row (and version number)
            try db.execute(sql: "ALTER TABLE process_definitions ADD COLUMN deleted_at TEXT")
        }
        m.registerMigration("020-schedules") { db in
            // one row per schedule due time that started an instance (replicas start it once), and
            // operators' pauses of schedules
            try db.execute(sql: """
                CREATE TABLE schedule_fires (
                    schedule_id TEXT NOT NULL, due_at TEXT NOT NULL, instance_id TEXT NOT NULL, fired_at TEXT NOT NULL,
                    PRIMARY KEY (schedule_id, due_at));
                CREATE TABLE schedule_states (schedule_id TEXT PRIMARY KEY, paused INTEGER NOT NULL, updated_at TEXT NOT NULL);
                """)
        }
        m.registerMigration("021-monitoring-indexes") { db in
            // the instance page lists an instance's timers (the heat map's pairing of activations with
            // completions reads process_history_instance: no index more on the hottest table)
            try db.execute(sql: """
                CREATE INDEX timers_instance ON timers(instance_id, due_at);
                """)
        }
        m.registerMigration("022-instance-list-keysets") { db in
            // keyset pages of the instance list: each sort's index ends with the id, the tie-breaker
            // (a rowid table's index holds the rowid, not the id), so a page is one range read of it;
            // a sort by a value some rows lack reads the rows without one by the same index
            try db.execute(sql: InstanceCursor.indexes)
        }
        return m
    }
}
