import BPMModel

/// Deployed definitions in memory: every version of each, and which is the latest.
public struct DefinitionRegistry: Sendable {
    var versions: [String: [Int: ProcessDefinition]] = [:]
    var latestVersion: [String: Int] = [:]
    /// Definitions retired for new instances (their file was removed); running ones finish.
    var retired: Set<String> = []

    public init() {}

    public mutating func add(_ def: ProcessDefinition, version: Int) {
        versions[def.id, default: [:]][version] = def
        if version >= (latestVersion[def.id] ?? 0) { latestVersion[def.id] = version }
        retired.remove(def.id)
    }

    public func definition(_ id: String, version: Int) -> ProcessDefinition? { versions[id]?[version] }

    public func latest(_ id: String) -> (ProcessDefinition, Int)? {
        guard let v = latestVersion[id], let d = versions[id]?[v] else { return nil }
        return (d, v)
    }

    /// The latest version of every definition, sorted by id.
    public var all: [(ProcessDefinition, Int)] { latestVersion.keys.sorted().compactMap { latest($0) } }

    /// Definitions whose trigger listens on `topic` (or, with no topic, any event trigger).
    public func triggered(byTopic topic: String?) -> [(ProcessDefinition, Int)] {
        all.filter { def, _ in
            guard let t = def.trigger, t.kind == .event, !retired.contains(def.id) else { return false }
            return topic == nil || t.topic == topic
        }
    }
}
