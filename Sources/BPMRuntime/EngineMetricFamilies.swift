import BPMModel
import Foundation
import Metrics

/// Every metric family `bpm serve` exposes, with its help text: registered at start (counters
/// at 0, the Prometheus convention) so dashboards show zeros rather than "No data", and the
/// help text added to the exposition (`# HELP`). docs/operations.md lists the same families.
extension EngineMetrics {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public struct Family: Sendable {
        public let name: String
        public let kind: Kind
        public let help: String

        init(_ name: String, _ kind: Kind, _ help: String) {
            self.name = name
            self.kind = kind
            self.help = help
        }
    }

    public static let families: [Family] = [
        Family("bpm_instances_started_total", .counter, "Instances started, per definition and version."),
        Family("bpm_instances_completed_total", .counter, "Instances that completed."),
        Family("bpm_instances_failed_total", .counter, "Instances that ended failed."),
        Family("bpm_instances_cancelled_total", .counter, "Instances cancelled or terminated."),
        Family("bpm_instances_active", .gauge, "Running and suspended instances (read from the store every 15 s)."),
        Family("bpm_instance_duration_seconds", .histogram, "Instance durations, start to end."),
        Family("bpm_elements_completed_total", .counter, "Element executions completed."),
        Family("bpm_tasks_created_total", .counter, "User tasks created."),
        Family("bpm_tasks_closed_total", .counter, "User tasks closed, by status (completed, cancelled)."),
        Family("bpm_incidents_raised_total", .counter, "Incidents raised, by type."),
        Family("bpm_incidents_resolved_total", .counter, "Incidents resolved (retried or resolved)."),
        Family("bpm_jobs_created_total", .counter, "Jobs (connector calls) created, by action."),
        Family("bpm_jobs_finished_total", .counter, "Jobs finished, by action and outcome."),
        Family("bpm_job_duration_seconds", .histogram, "How long connector calls took."),
        Family("bpm_timers_fired_total", .counter, "Timers fired."),
        Family("bpm_timer_lag_seconds", .histogram, "How late timers fired after their due time."),
        Family("bpm_events_received_total", .counter, "Events received, by topic."),
        Family("bpm_events_matched_total", .counter, "Events that started or reached a definition."),
        Family("bpm_events_dead_lettered_total", .counter, "Events from Kafka or MQTT set aside as bad, by reason."),
        Family("bpm_throttle_dropped_total", .counter,
               "Trigger starts a throttle dropped (past its budget, or its queue full), per definition."),
        Family("bpm_throttle_queued_total", .counter,
               "Trigger starts a throttle queued to start later (excess: queue), per definition."),
        Family("bpm_kafka_offset_regressions_total", .counter,
               "Kafka partitions found with offsets below the stored position (topic recreated), by topic."),
        Family("bpm_kafka_partitions_paused", .gauge,
               "Kafka partitions not consumed until an operator resets their position."),
        Family("bpm_store_commit_duration_seconds", .histogram, "Latency of the store's group commits."),
        Family("bpm_store_batch_items", .histogram, "Items written per group commit."),
        Family("bpm_sqlite_checkpoints_total", .counter, "WAL checkpoints of the embedded store, by outcome."),
        Family("bpm_sqlite_checkpoint_duration_seconds", .histogram, "How long WAL checkpoints took."),
        Family("bpm_sqlite_checkpoint_waits_total", .counter,
               "Commits that waited because the embedded store's log passed 64 MiB."),
        Family("bpm_deployments_failed_total", .counter, "Definition files that did not deploy."),
    ]

    /// Registers the series whose labels are known before anything happens (at 0: incident
    /// types, task statuses, checkpoint outcomes, the unlabelled ones); the other families
    /// appear with their `# HELP` and `# TYPE` lines and no samples until a definition that
    /// names their labels is deployed (`deployed`) or the first sample.
    public static func registerFamilies() {
        for name in ["bpm_incidents_resolved_total", "bpm_timers_fired_total", "bpm_sqlite_checkpoint_waits_total",
                     "bpm_deployments_failed_total"] {
            _ = Counter(label: name)
        }
        for status in ["running", "suspended"] {
            _ = Gauge(label: "bpm_instances_active", dimensions: [("status", status)])
        }
        for status in ["completed", "cancelled"] {
            _ = Counter(label: "bpm_tasks_closed_total", dimensions: [("status", status)])
        }
        for outcome in ["done", "failed"] {
            _ = Counter(label: "bpm_sqlite_checkpoints_total", dimensions: [("outcome", outcome)])
        }
        for name in ["bpm_timer_lag_seconds", "bpm_store_commit_duration_seconds",
                     "bpm_sqlite_checkpoint_duration_seconds"] {
            _ = Metrics.Timer(label: name)
        }
        _ = Recorder(label: "bpm_store_batch_items", aggregate: true)
        for type in incidentTypes { _ = Counter(label: "bpm_incidents_raised_total", dimensions: [("type", type)]) }
    }

    /// A definition's series at 0 once it is deployed.
    static func deployed(_ def: ProcessDefinition, version: Int) {
        let labels = [("definition", def.id), ("version", String(version))]
        for event in ["started", "completed", "failed", "cancelled"] {
            _ = Counter(label: "bpm_instances_\(event)_total", dimensions: labels)
        }
        _ = Counter(label: "bpm_tasks_created_total", dimensions: [("definition", def.id)])
        _ = Metrics.Timer(label: "bpm_instance_duration_seconds", dimensions: [("definition", def.id)])
        for case .serviceTask(let task) in def.elements.map(\.kind) {
            _ = Counter(label: "bpm_jobs_created_total", dimensions: [("action", task.action)])
            for outcome in ["completed", "failed", "bpmn_error"] {
                _ = Counter(label: "bpm_jobs_finished_total",
                            dimensions: [("action", task.action), ("outcome", outcome)])
            }
            _ = Metrics.Timer(label: "bpm_job_duration_seconds", dimensions: [("action", task.action)])
        }
        if def.trigger?.flow.throttle != nil {
            for name in ["bpm_throttle_dropped_total", "bpm_throttle_queued_total"] {
                _ = Counter(label: name, dimensions: [("definition", def.id)])
            }
        }
        // an event trigger's topic (a literal one: an MQTT filter with + or # is not a topic)
        if let t = def.trigger, t.kind == .event, let topic = t.topic, !topic.contains("+"), !topic.contains("#") {
            _ = Counter(label: "bpm_events_received_total", dimensions: [("topic", topic)])
            _ = Counter(label: "bpm_events_matched_total",
                        dimensions: [("topic", topic), ("definition", def.id), ("action", "started")])
        }
    }

    /// The incident types the engine and its connectors raise.
    static let incidentTypes = ["job_failed", "no_connector", "no_script_handler", "condition_failed", "extract_value",
                                "called_process", "step_limit"]

    /// The Prometheus text exposition with a `# HELP` line before each family's `# TYPE` line,
    /// and the families not registered yet as `# HELP` and `# TYPE` alone.
    public static func withHelp(_ exposition: String) -> String {
        let help = Dictionary(families.map { ($0.name, $0.help) }, uniquingKeysWith: { a, _ in a })
        var out = "", seen = Set<String>()
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first.map(String.init) {
                seen.insert(name)
                out += "# HELP \(name) \(help[name] ?? name)\n"
            }
            out += line + "\n"
        }
        for f in families where !seen.contains(f.name) {
            out += "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) \(f.kind.rawValue)\n"
        }
        return out
    }
}
