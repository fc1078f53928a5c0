import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation

/// Schedules as objects: list, one with a preview, pause and resume (`docs/operations.md`).
extension API {
    func schedules(count: Int?) async throws -> Value {
        let n = try Self.int(count.map(String.init), "count", default: 5, max: 100)
        return .context(["items": .list(try await runtime.schedules(count: n).map(ScheduleView.json))])
    }

    func schedule(_ id: String, count: Int?) async throws -> Value {
        let n = try Self.int(count.map(String.init), "count", default: 5, max: 100)
        guard let s = try await runtime.schedule(id, count: n) else { throw ScheduleView.notFound(id) }
        return ScheduleView.json(s)
    }

    func setSchedule(_ id: String, paused: Bool) async throws -> Value {
        do {
            return ScheduleView.json(try await runtime.setSchedule(id, paused: paused))
        } catch Runtime.ScheduleError.unknown {
            throw ScheduleView.notFound(id)
        }
    }
}

/// The JSON of a schedule (the `Schedule` schema of openapi.yaml).
enum ScheduleView {
    static func notFound(_ id: String) -> Problem {
        Problem(.notFound, "unknown-schedule", "Schedule not found",
                "no deployed definition has the schedule '\(id)' "
                    + "(ids: <definition>:<name>, <definition>:0 or <definition>:<element>)")
    }

    static func json(_ s: ScheduleInfo) -> Value {
        let o = s.spec.options
        let (kind, expression, zone) = s.spec.schedule.summary
        var c: [String: Value] = [
            "id": .string(s.spec.id), "definitionId": .string(s.definitionId), "version": .number(Double(s.version)),
            "elementId": .string(s.spec.elementId), "kind": .string(kind), "expression": .string(expression),
            "state": .string(s.paused ? "paused" : "active"), "overlap": .string(o.overlap.rawValue),
            "jitterSeconds": .number(o.jitter), "next": .list(s.next.map { .string(Coding.iso($0)) }),
        ]
        if let zone { c["timezone"] = .string(zone) }
        if let cu = o.catchUp {
            c["catchUp"] = .context(["windowSeconds": .number(cu.window), "policy": .string(cu.policy.rawValue)])
        }
        if let f = s.lastFire {
            c["lastFire"] = .context(["dueAt": .string(Coding.iso(f.dueAt)), "firedAt": .string(Coding.iso(f.firedAt)),
                                      "instanceId": .string(f.instanceId)])
        }
        if let b = s.buffered { c["buffered"] = .string(Coding.iso(b)) }
        return .context(c)
    }
}
