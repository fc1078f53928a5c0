import BPMStore
/// The PostgreSQL schema: the plan's tables in the plan's column types (`JSONB` variables and
/// data, `TIMESTAMPTZ` times, `UUID` history ids), extended as the engine needs, as named,
/// ordered migrations. Instance ids stay `TEXT`: a called process's instance id is derived
/// from its parent's (`<uuid>-c3`), which keeps the engine core deterministic.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("001-plan-tables", """
            CREATE TABLE process_definitions (
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                format TEXT NOT NULL,
                source TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                origin TEXT NOT NULL,
                definition JSONB NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (id, version)
            );
            CREATE TABLE process_instances (
                id TEXT PRIMARY KEY,
                definition_id TEXT NOT NULL,
                definition_version INTEGER NOT NULL,
                status TEXT NOT NULL,
                variables JSONB NOT NULL,
                current_activity TEXT,
                started_at TIMESTAMPTZ NOT NULL,
                completed_at TIMESTAMPTZ,
                correlation_key TEXT,
                business_key TEXT,
                state JSONB NOT NULL,
                revision INTEGER NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX process_instances_definition ON process_instances(definition_id, status);
            CREATE INDEX process_instances_status_started ON process_instances(status, started_at);
            CREATE UNIQUE INDEX process_instances_active_key ON process_instances(definition_id, correlation_key)
                WHERE status IN ('running', 'suspended') AND correlation_key IS NOT NULL;
            CREATE INDEX process_instances_business_key ON process_instances(business_key) WHERE business_key IS NOT NULL;
            -- append-only and time-keyed: a TimescaleDB hypertable when the extension is there,
            -- so the time column is part of the key
            CREATE TABLE process_history (
                id UUID NOT NULL,
                instance_id TEXT NOT NULL,
                activity_id TEXT NOT NULL,
                activity_type TEXT NOT NULL,
                event_type TEXT NOT NULL,
                timestamp TIMESTAMPTZ NOT NULL,
                data JSONB,
                seq BIGINT GENERATED ALWAYS AS IDENTITY,
                PRIMARY KEY (id, timestamp)
            );
            CREATE INDEX process_history_instance ON process_history(instance_id, seq);
            """),
        ("002-engine-tables", """
            CREATE TABLE timers (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                due_at TIMESTAMPTZ NOT NULL,
                data JSONB,
                claimed_by TEXT,
                claimed_until TIMESTAMPTZ
            );
            CREATE INDEX timers_due ON timers(due_at);
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                definition_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                action TEXT NOT NULL,
                payload JSONB NOT NULL,
                attempt INTEGER NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                variables JSONB,
                external BOOLEAN NOT NULL DEFAULT FALSE,
                locked_by TEXT,
                locked_until TIMESTAMPTZ
            );
            CREATE INDEX jobs_created ON jobs(created_at);
            CREATE INDEX jobs_activatable ON jobs(action, external, locked_until, created_at);
            CREATE TABLE user_tasks (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                definition_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                name TEXT,
                assignee TEXT,
                candidate_users JSONB NOT NULL,
                candidate_groups JSONB NOT NULL,
                priority INTEGER NOT NULL,
                form JSONB,
                description TEXT,
                status TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                completed_at TIMESTAMPTZ
            );
            CREATE INDEX user_tasks_status ON user_tasks(status, priority, created_at);
            CREATE INDEX user_tasks_instance ON user_tasks(instance_id);
            CREATE INDEX user_tasks_assignee ON user_tasks(assignee, status);
            CREATE INDEX user_tasks_groups ON user_tasks USING GIN (candidate_groups);
            CREATE TABLE incidents (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                type TEXT NOT NULL,
                message TEXT NOT NULL,
                job_id TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                resolved_at TIMESTAMPTZ
            );
            CREATE INDEX incidents_instance ON incidents(instance_id);
            CREATE INDEX incidents_open ON incidents(resolved_at, created_at);
            CREATE TABLE process_logs (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                level TEXT NOT NULL,
                message TEXT NOT NULL,
                data JSONB,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX process_logs_instance ON process_logs(instance_id);
            CREATE TABLE message_subscriptions (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                element_id TEXT NOT NULL,
                name TEXT NOT NULL,
                correlation_key TEXT,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX message_subscriptions_key ON message_subscriptions(name, correlation_key, created_at);
            CREATE TABLE buffered_messages (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                correlation_key TEXT,
                variables JSONB NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX buffered_messages_key ON buffered_messages(name, correlation_key, expires_at);
            """),
        ("003-task-dates-and-query-indexes", """
            ALTER TABLE user_tasks ADD COLUMN due_at TIMESTAMPTZ;
            ALTER TABLE user_tasks ADD COLUMN follow_up_at TIMESTAMPTZ;
            CREATE INDEX user_tasks_due ON user_tasks(status, due_at);
            CREATE INDEX user_tasks_definition ON user_tasks(definition_id, status, priority);
            DROP INDEX process_instances_definition;
            CREATE INDEX process_instances_definition_started ON process_instances(definition_id, status, started_at);
            CREATE INDEX process_instances_started ON process_instances(started_at);
            CREATE INDEX process_instances_variables ON process_instances USING GIN (variables jsonb_path_ops);
            DROP INDEX user_tasks_assignee;
            CREATE INDEX user_tasks_assignee ON user_tasks(assignee, status, priority DESC, created_at);
            ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 50;
            DROP INDEX jobs_activatable;
            CREATE INDEX jobs_activatable ON jobs(action, external, priority DESC, created_at);
            """),
        // consumed Kafka positions (written with the state they changed), event-pattern
        // windows per definition and key, and lifecycle events waiting to be published
        ("004-event-intake", """
            CREATE TABLE consumer_offsets (
                group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
                next_offset BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (group_id, topic, partition));
            CREATE TABLE event_windows (
                definition_id TEXT NOT NULL, correlation_key TEXT NOT NULL, state JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (definition_id, correlation_key));
            CREATE TABLE outbox (id TEXT PRIMARY KEY, topic TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
            """),
        // which activation of an element a history row is about: a multi-instance body and each
        // of its instances have their own (null where an element is activated once in its scope)
        ("005-history-element-instances", """
            ALTER TABLE process_history ADD COLUMN element_instance_id TEXT;
            """),
        // the instance list sorted by end time
        ("006-instance-list-orders", """
            CREATE INDEX process_instances_completed ON process_instances(completed_at);
            """),
        // one running instance per business key of a definition declared unique (the key is
        // copied to unique_key only for those), and the answers of idempotent API starts
        ("007-flow-control", """
            ALTER TABLE process_instances ADD COLUMN unique_key TEXT;
            CREATE UNIQUE INDEX process_instances_unique_key ON process_instances(definition_id, unique_key)
                WHERE status IN ('running', 'suspended') AND unique_key IS NOT NULL;
            CREATE TABLE start_requests (
                idempotency_key TEXT PRIMARY KEY, definition_id TEXT NOT NULL, instance_id TEXT NOT NULL,
                status INTEGER NOT NULL, response TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
            """),
        // Zeebe-style int64 keys of the objects Camunda's protocols expose (docs/camunda.md)
        ("008-camunda-keys", """
            CREATE TABLE camunda_keys (
                number BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL,
                UNIQUE (kind, id));
            """),
        // published messages' messageIds while they are buffered (shared by replicas); one-off keys
        // (messages, signals, evaluations, commands) keep no row any more: those written before go
        ("009-camunda-message-ids", """
            CREATE TABLE camunda_message_ids (
                name TEXT NOT NULL, message_id TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (name, message_id));
            CREATE INDEX camunda_message_ids_expiry ON camunda_message_ids(expires_at);
            DELETE FROM camunda_keys WHERE kind IN ('message', 'signal', 'di', 'command');
            """),
        // decisions and forms deleted through Camunda's DeleteResource keep their row (and version number)
        ("010-definition-deletion", """
            ALTER TABLE process_definitions ADD COLUMN deleted_at TIMESTAMPTZ;
            """),
        // one row per schedule due time that started an instance (replicas start it once), and
        // operators' pauses of schedules
        ("011-schedules", """
            CREATE TABLE schedule_fires (
                schedule_id TEXT NOT NULL, due_at TIMESTAMPTZ NOT NULL, instance_id TEXT NOT NULL, fired_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (schedule_id, due_at));
            CREATE TABLE schedule_states (schedule_id TEXT PRIMARY KEY, paused BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
            """),
        // the instance page lists an instance's timers (the heat map's pairing of activations with
        // completions reads process_history_instance: no index more on the hottest table)
        ("012-monitoring-indexes", """
            CREATE INDEX timers_instance ON timers(instance_id, due_at);
            """),
        // keyset pages of the instance list: each sort's index ends with the id, the tie-breaker, so
        // a page is one range read of it; a sort by a value some rows lack reads the rows without
        // one by the same index (the same statements as SQLite's migration 022)
        ("013-instance-list-keysets", InstanceCursor.indexes),
    ]

    /// Append-only, time-keyed tables and their time columns.
    static let hypertables = [("process_history", "timestamp")]

    /// What to run after the migrations, given whether the `timescaledb` extension is
    /// available on the server: with it, the extension is created and the append-only tables
    /// become hypertables; without it, nothing (plain tables).
    static func timescaleStatements(available: Bool) -> [String] {
        guard available else { return [] }
        return ["CREATE EXTENSION IF NOT EXISTS timescaledb"]
            + hypertables.map { "SELECT create_hypertable('\($0.0)', '\($0.1)', if_not_exists => TRUE, migrate_data => TRUE)" }
    }
}
