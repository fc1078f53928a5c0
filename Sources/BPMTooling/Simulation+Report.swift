import BPMEngine
import BPMExpressions
import BPMStore
import Foundation

/// What a simulated run reports: the status word, the path, and the `bpm run --json` document.
extension Simulation {
    /// The status word of an instance: `completed`, `waiting`, `failed`, `terminated`.
    public static func statusWord(_ s: InstanceState) -> String {
        switch s.status {
        case .running, .suspended: "waiting"
        case .completed: "completed"
        case .failed: "failed"
        case .terminated: "terminated"
        }
    }

    /// The main instance's status word (`not_started` when no event satisfied the trigger).
    public var statusWord: String { state.map(Self.statusWord) ?? "not_started" }

    /// The element ids of the main instance's path, in order of completion (start and end
    /// events included; a multi-instance body's own completion is not a step of the path).
    public var path: [String] { Self.path(history) }

    /// The path of any instance of the run.
    public func path(of id: String) -> [String] { Self.path(histories[id] ?? []) }

    static func path(_ history: [HistoryEntry]) -> [String] {
        history.filter { $0.event == "completed" && $0.elementType != "process" && $0.elementType != "multiInstanceBody" }
            .map(\.elementId)
    }

    /// Open incidents of every instance of the run.
    public var incidents: [Incident] { instances.flatMap(\.incidents) }

    /// Whether the run ended well: the main instance started and did not fail, no instance
    /// waits on an incident, and no bound stopped the run.
    public var succeeded: Bool {
        !["failed", "not_started"].contains(statusWord) && incidents.isEmpty && stopped == nil
    }

    /// The instances of the run other than the main one, for the report.
    public var others: [InstanceState] { instances.filter { $0.id != mainId } }

    /// The `bpm run --json` document.
    public var report: Value {
        var c: [String: Value] = [
            "status": .string(statusWord),
            "variables": .context(state?.variables ?? [:]),
            "history": .list(history.map(Self.entry)),
            "incidents": .list((state?.incidents ?? []).map(\.value)),
            "effects": .list(effects.map { .context(["action": .string($0.action), "payload": $0.payload]) }),
            "instances": .list(others.map(summary)),
            "children": .list(children(of: mainId).map(summary)),
        ]
        if let s = state {
            c["instanceId"] = .string(s.id)
            c["waitingAt"] = .list(s.tokens.map { .context(["elementId": .string($0.elementId), "waitingFor": .string($0.wait.kind)]) })
            if let e = s.error { c["error"] = .context(["code": .string(e.code), "message": e.message.map(Value.string) ?? .null]) }
        }
        if !openTasks.isEmpty { c["tasks"] = .list(openTasks.map(\.value)) }
        if !notes.isEmpty { c["notes"] = .list(notes.map(Value.string)) }
        if let stopped { c["stopped"] = .context(["reason": .string(stopped.reason), "message": .string(stopped.message)]) }
        return .context(c)
    }

    /// Instances called (directly or further down) by an instance, in order of start.
    func children(of id: String?) -> [InstanceState] {
        guard let id else { return [] }
        let direct = instances.filter { $0.parent?.instanceId == id }
        return direct.flatMap { [$0] + children(of: $0.id) }
    }

    func summary(_ s: InstanceState) -> Value {
        var c: [String: Value] = [
            "id": .string(s.id), "process": .string(s.definitionId), "version": .number(Double(s.definitionVersion)),
            "status": .string(Self.statusWord(s)),
            "incidents": .list(s.incidents.map(\.value)),
        ]
        if let p = s.parent {
            c["parentId"] = .string(p.instanceId)
            if let caller = instances.first(where: { $0.id == p.instanceId })?.tokens.first(where: { $0.id == p.tokenId }) {
                c["callActivity"] = .string(caller.elementId)
            }
        }
        return .context(c)
    }

    static func entry(_ h: HistoryEntry) -> Value {
        var c: [String: Value] = ["elementId": .string(h.elementId), "elementType": .string(h.elementType), "event": .string(h.event),
                                  "at": .string(Coding.iso(h.at))]
        if let id = h.elementInstanceId { c["elementInstanceId"] = .string(id) }
        return .context(c)
    }
}
