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
        // counted per series first (keys of fixed shape, no label arrays per history row), so
        // each counter is looked up once per batch
        struct ProcessSeries: Hashable { let definition: String, version: Int, event: String }
        struct ElementSeries: Hashable { let definition: String, element: String, type: String }
        var instances: [String: InstanceState] = [:]
        instances.reserveCapacity(batch.instances.count)
        for w in batch.instances { instances[w.state.id] = w.state }
        var processes: [ProcessSeries: Int] = [:]
        var elements: [ElementSeries: Int] = [:]
        var durations: [String: [Int64]] = [:]
        for h in batch.history {
            if h.elementType == "process" {
                switch h.event {
                case "started", "completed", "failed", "cancelled":
                    let state = instances[h.instanceId]
                    processes[ProcessSeries(definition: h.elementId, version: state?.definitionVersion ?? 0, event: h.event), default: 0] += 1
                    if h.event != "started", let state {
                        durations[h.elementId, default: []].append(Int64(max(0, h.at.timeIntervalSince(state.startedAt)) * 1e9))
                    }
                default: break
                }
            } else if h.event == "completed" {
                elements[ElementSeries(definition: instances[h.instanceId]?.definitionId ?? "", element: h.elementId, type: h.elementType), default: 0] += 1
            }
        }
        for (k, n) in processes {
            Counter(label: "bpm_instances_\(k.event)_total", dimensions: [("definition", k.definition), ("version", String(k.version))]).increment(by: n)
        }
        for (def, ns) in durations {
            let timer = Metrics.Timer(label: "bpm_instance_duration_seconds", dimensions: [("definition", def)])
            for n in ns { timer.recordNanoseconds(n) }
        }
        for (k, n) in elements {
            Counter(label: "bpm_elements_completed_total", dimensions: [("definition", k.definition), ("element", k.element), ("type", k.type)]).increment(by: n)
        }
        var other: [[String]: Int] = [:]  // name, label, value…
        for t in batch.tasksToAdd { other[["bpm_tasks_created_total", "definition", t.definitionId], default: 0] += 1 }
        for u in batch.taskUpdates { other[["bpm_tasks_closed_total", "status", u.status], default: 0] += 1 }
        for i in batch.incidentsToAdd { other[["bpm_incidents_raised_total", "type", i.type], default: 0] += 1 }
        for j in batch.jobsToAdd { other[["bpm_jobs_created_total", "action", j.action], default: 0] += 1 }
        for (k, n) in other { Counter(label: k[0], dimensions: [(k[1], k[2])]).increment(by: n) }
        if !batch.incidentsResolved.isEmpty { Counter(label: "bpm_incidents_resolved_total").increment(by: batch.incidentsResolved.count) }
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
    /// A Kafka partition whose offsets went below the stored position (its consumption paused).
    public static func offsetRegression(topic: String) {
        Counter(label: "bpm_kafka_offset_regressions_total", dimensions: [("topic", topic)]).increment()
    }

    /// How many Kafka partitions are paused for an offset regression now.
    public static func pausedPartitions(_ n: Int) { Gauge(label: "bpm_kafka_partitions_paused").record(n) }

    public static func deadLettered(topic: String, reason: String) {
        Counter(label: "bpm_events_dead_lettered_total", dimensions: [("topic", topic), ("reason", reason)]).increment()
    }

    /// Trigger starts a committed batch's throttles dropped and queued, per definition.
    static func throttled(dropped: [String: Int], queued: [String: Int]) {
        for (name, counts) in [("bpm_throttle_dropped_total", dropped), ("bpm_throttle_queued_total", queued)] {
            for (def, n) in counts { Counter(label: name, dimensions: [("definition", def)]).increment(by: n) }
        }
    }

    /// Gauges read from the store now and then.
    static func levels(running: Int, suspended: Int) {
        Gauge(label: "bpm_instances_active", dimensions: [("status", "running")]).record(running)
        Gauge(label: "bpm_instances_active", dimensions: [("status", "suspended")]).record(suspended)
    }

    /// A definition file failed to deploy.
    static func deploymentFailed() { Counter(label: "bpm_deployments_failed_total").increment() }
}
