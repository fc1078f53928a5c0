import BPMEngine
import BPMExpressions
import BPMStore
import struct Foundation.Date

/// The engine's lifecycle events (instance started/completed/failed/cancelled, incident
/// raised/resolved, task created/completed) for a commit: JSON, keyed by instance id, written
/// to the outbox in the commit's own transaction and published after it.
public enum Lifecycle {
    static let instanceEvents: [String: String] = [
        "started": "instance_started", "completed": "instance_completed", "failed": "instance_failed",
        "cancelled": "instance_cancelled", "suspended": "instance_suspended", "resumed": "instance_resumed",
    ]

    public static func events(of commit: CommitBatch, topic: String) -> [OutboxRecord] {
        var definitionOf: [String: (String, Int)] = [:]
        var keyOf: [String: String] = [:]
        for w in commit.instances {
            definitionOf[w.state.id] = (w.state.definitionId, w.state.definitionVersion)
            if let k = w.state.correlationKey { keyOf[w.state.id] = k }
        }
        var out: [OutboxRecord] = []
        func add(_ type: String, _ instanceId: String, _ at: Date, _ extra: [String: Value]) {
            let id = UUIDv7.make(at)
            var body: [String: Value] = ["event_id": .string(id), "type": .string(type), "instance_id": .string(instanceId),
                                         "timestamp": .string(Coding.iso(at))]
            if let (d, v) = definitionOf[instanceId] {
                body["definition_id"] = .string(d)
                body["definition_version"] = .number(Double(v))
            }
            if let k = keyOf[instanceId] { body["correlation_key"] = .string(k) }
            body.merge(extra) { a, _ in a }
            out.append(OutboxRecord(id: id, topic: topic, key: instanceId, payload: JSON.encode(.context(body)), createdAt: at))
        }
        for h in commit.history {
            if h.elementType == "process", let type = instanceEvents[h.event] {
                add(type, h.instanceId, h.at, h.event == "cancelled" || h.event == "failed" ? ["data": h.data ?? .null] : [:])
            } else if h.elementType == "userTask", h.event == "completed" {
                add("task_completed", h.instanceId, h.at, ["element_id": .string(h.elementId)])
            }
        }
        for t in commit.tasksToAdd {
            add("task_created", t.instanceId, t.createdAt, ["element_id": .string(t.elementId), "task_id": .string(t.id), "name": t.name.map(Value.string) ?? .null])
        }
        for i in commit.incidentsToAdd {
            add("incident_raised", i.instanceId, i.createdAt, ["element_id": .string(i.elementId), "incident_id": .string(i.id), "incident_type": .string(i.type), "message": .string(i.message)])
        }
        return out
    }
}
