import BPMEngine
import BPMStore
import Foundation
import Metrics

/// The engine's metrics, through swift-metrics (exported by `bpm serve` at `/metrics` in the
/// Prometheus format). Names follow Prometheus conventions (`_total` counters, `_seconds`
/// durations); labels are bounded — definition ids, element ids and types, actions, topics —
/// never instance ids. Derived from what each group commit wrote, so a metric counts what is
/// durable.
public enum EngineMetrics {
    /// After a commit: instances started and ended, durations, element completions, tasks,
    /// incidents, jobs written; the batch size and the commit's latency.
    static func committed(_ batch: CommitBatch, items: Int, seconds: Double) {
        Recorder(label: "bpm_store_batch_items", aggregate: true).record(items)
        Metrics.Timer(label: "bpm_store_commit_duration_seconds").recordNanoseconds(Int64(seconds * 1e9))
        var versions: [String: Int] = [:]
        var states: [String: InstanceState] = [:]
        for w in batch.instances {
            versions[w.state.id] = w.state.definitionVersion
            states[w.state.id] = w.state
        }
        // counted per series first, so each counter is looked up once per batch
        struct Series: Hashable {
            let name: String
            let labels: [String]  // name, value, name, value…
        }
        var tally: [Series: Int] = [:]
        func count(_ name: String, _ labels: [(String, String)]) {
            tally[Series(name: name, labels: labels.flatMap { [$0.0, $0.1] }), default: 0] += 1
        }
        for h in batch.history {
            if h.elementType == "process" {
                let def = h.elementId
                let version = String(versions[h.instanceId] ?? 0)
                switch h.event {
                case "started": count("bpm_instances_started_total", [("definition", def), ("version", version)])
                case "completed", "failed", "cancelled":
                    count("bpm_instances_\(h.event)_total", [("definition", def), ("version", version)])
                    if let s = states[h.instanceId] {
                        Metrics.Timer(label: "bpm_instance_duration_seconds", dimensions: [("definition", def)])
                            .recordNanoseconds(Int64(max(0, h.at.timeIntervalSince(s.startedAt)) * 1e9))
                    }
                default: break
                }
            } else if h.event == "completed" {
                let def = states[h.instanceId]?.definitionId ?? ""
                count("bpm_elements_completed_total", [("definition", def), ("element", h.elementId), ("type", h.elementType)])
            }
        }
        for t in batch.tasksToAdd { count("bpm_tasks_created_total", [("definition", t.definitionId)]) }
        for u in batch.taskUpdates { count("bpm_tasks_closed_total", [("status", u.status)]) }
        for i in batch.incidentsToAdd { count("bpm_incidents_raised_total", [("type", i.type)]) }
        if !batch.incidentsResolved.isEmpty { Counter(label: "bpm_incidents_resolved_total").increment(by: batch.incidentsResolved.count) }
        for j in batch.jobsToAdd { count("bpm_jobs_created_total", [("action", j.action)]) }
        for (series, n) in tally {
            let dimensions = stride(from: 0, to: series.labels.count, by: 2).map { (series.labels[$0], series.labels[$0 + 1]) }
            Counter(label: series.name, dimensions: dimensions).increment(by: n)
        }
    }

    /// A connector call finished.
    static func jobFinished(_ job: JobRecord, _ command: Command, seconds: Double) {
        let outcome: String
        switch command {
        case .jobCompleted: outcome = "completed"
        case .jobFailed: outcome = "failed"
        case .jobThrewError: outcome = "bpmn_error"
        default: outcome = "other"
        }
        Counter(label: "bpm_jobs_finished_total", dimensions: [("action", job.action), ("outcome", outcome)]).increment()
        Metrics.Timer(label: "bpm_job_duration_seconds", dimensions: [("action", job.action)]).recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Timers taken to fire, and how late each was.
    static func timersFired(_ timers: [TimerRecord], now: Date) {
        guard !timers.isEmpty else { return }
        Counter(label: "bpm_timers_fired_total").increment(by: timers.count)
        let lag = Metrics.Timer(label: "bpm_timer_lag_seconds")
        for t in timers { lag.recordNanoseconds(Int64(max(0, now.timeIntervalSince(t.dueAt)) * 1e9)) }
    }

    /// An event was handled: how many definitions it started or reached.
    static func event(topic: String?, outcomes: [Runtime.EventOutcome]) {
        events(topics: [topic ?? ""], results: [.success(outcomes)])
    }

    /// Events handed over together (from Kafka or MQTT): each counter incremented once by its
    /// total, so a batch of thousands costs a handful of metric updates.
    static func events(topics: [String?], results: [Result<[Runtime.EventOutcome], any Error>]) {
        var received: [String: Int] = [:]
        var matched: [[String]: Int] = [:]
        for (topic, result) in zip(topics, results) {
            guard let topic, case .success(let outcomes) = result else { continue }
            received[topic, default: 0] += 1
            for o in outcomes { matched[[topic, o.definitionId, o.action.rawValue], default: 0] += 1 }
        }
        for (t, n) in received { Counter(label: "bpm_events_received_total", dimensions: [("topic", t)]).increment(by: Int64(n)) }
        for (k, n) in matched {
            Counter(label: "bpm_events_matched_total", dimensions: [("topic", k[0]), ("definition", k[1]), ("action", k[2])]).increment(by: Int64(n))
        }
    }

    /// An event from Kafka or MQTT set aside as bad (`reason`: too_large, not_json, not_object,
    /// missing_path, wrong_type); HTTP `/events` answers a bad body with a problem instead.
    public static func deadLettered(topic: String, reason: String) {
        Counter(label: "bpm_events_dead_lettered_total", dimensions: [("topic", topic), ("reason", reason)]).increment()
    }

    /// Gauges read from the store now and then.
    static func levels(running: Int, suspended: Int) {
        Gauge(label: "bpm_instances_active", dimensions: [("status", "running")]).record(running)
        Gauge(label: "bpm_instances_active", dimensions: [("status", "suspended")]).record(suspended)
    }

    /// A definition file failed to deploy.
    static func deploymentFailed() { Counter(label: "bpm_deployments_failed_total").increment() }
}
