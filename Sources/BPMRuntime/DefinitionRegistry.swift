import BPMModel
import BPMExpressions

/// Deployed definitions in memory: every version of each, and which is the latest; and an
/// index of the latest versions by the topics their triggers and message events listen on,
/// rebuilt when a definition is added or retired, so routing an event costs a lookup.
public struct DefinitionRegistry: Sendable {
    var versions: [String: [Int: ProcessDefinition]] = [:]
    var latestVersion: [String: Int] = [:]
    /// Definitions retired for new instances (their file was removed); running ones finish.
    public internal(set) var retired: Set<String> = [] {
        didSet { reindex() }
    }
    /// Event-triggered latest versions by exact topic (Kafka and HTTP), sorted by id.
    var byTopic: [String: [(ProcessDefinition, Int)]] = [:]
    /// The same, prepared for routing.
    var routes: [String: TopicRoute] = [:]
    /// Every event-triggered latest version (for events published without a topic).
    var eventTriggered: [(ProcessDefinition, Int)] = []
    /// MQTT-triggered latest versions by topic filter (`+` and `#` wildcards).
    var byMQTTFilter: [(filter: String, def: ProcessDefinition, version: Int)] = []
    /// Message events that take events from a topic: the definition and the message.
    var receiversByTopic: [String: [(definitionId: String, message: MessageDefinition)]] = [:]
    var mqttReceivers: [(filter: String, definitionId: String, message: MessageDefinition)] = []
    /// Cool-downs of event triggers (seconds), by definition id.
    var cooldowns: [String: Double] = [:]

    public init() {}

    public mutating func add(_ def: ProcessDefinition, version: Int) {
        versions[def.id, default: [:]][version] = def
        if version >= (latestVersion[def.id] ?? 0) { latestVersion[def.id] = version }
        retired.remove(def.id)
        reindex()
    }

    public func definition(_ id: String, version: Int) -> ProcessDefinition? { versions[id]?[version] }

    /// A definition's version: what identifies a stored definition record.
    public struct VersionKey: Hashable, Sendable {
        public var id: String
        public var version: Int
    }

    /// Every version held.
    var versionKeys: [VersionKey] { versions.flatMap { id, vs in vs.keys.map { VersionKey(id: id, version: $0) } } }

    public func latest(_ id: String) -> (ProcessDefinition, Int)? {
        guard let v = latestVersion[id], let d = versions[id]?[v] else { return nil }
        return (d, v)
    }

    /// The latest version of every definition, sorted by id.
    public var all: [(ProcessDefinition, Int)] { latestVersion.keys.sorted().compactMap { latest($0) } }

    mutating func reindex() {
        byTopic = [:]
        eventTriggered = []
        byMQTTFilter = []
        receiversByTopic = [:]
        mqttReceivers = []
        cooldowns = [:]
        for (def, version) in all {
            // a retired definition's running instances still start their keys' cool-downs
            if let cd = def.trigger?.cooldown { cooldowns[def.id] = cd }
            guard !retired.contains(def.id) else { continue }
            if let t = def.trigger, t.kind == .event {
                eventTriggered.append((def, version))
                if let topic = t.topic {
                    if t.source == "mqtt" { byMQTTFilter.append((topic, def, version)) } else { byTopic[topic, default: []].append((def, version)) }
                }
            }
        }
        routes = byTopic.mapValues { TopicRoute($0, kept: true) }
        // instances of every version — retired or replaced — may wait for messages from topics
        for id in versions.keys.sorted() {
            for (_, def) in versions[id]!.sorted(by: { $0.key > $1.key }) {
                for e in def.elements {
                    guard case .messageCatchEvent(let m) = e.kind, let topic = m.topic else { continue }
                    if m.source == "mqtt" { mqttReceivers.append((topic, def.id, m)) } else { receiversByTopic[topic, default: []].append((def.id, m)) }
                }
            }
        }
    }

    /// Definitions whose trigger listens on `topic` (or, with no topic, any event trigger);
    /// with `mqtt`, on an MQTT topic matched by the triggers' topic filters.
    public func triggered(byTopic topic: String?, mqtt: Bool = false) -> [(ProcessDefinition, Int)] {
        guard let topic else { return eventTriggered }
        if mqtt { return byMQTTFilter.filter { MQTTTopic.matches(filter: $0.filter, topic: topic) }.map { ($0.def, $0.version) } }
        return byTopic[topic] ?? []
    }

    /// The definitions listening on `topic`, prepared for routing (MQTT: matched by filter).
    public func route(forTopic topic: String?, mqtt: Bool = false) -> TopicRoute {
        if let topic, !mqtt, let r = routes[topic] { return r }
        return TopicRoute(triggered(byTopic: topic, mqtt: mqtt))
    }

    /// Message events that take events arriving on `topic`.
    public func receivers(ofTopic topic: String, mqtt: Bool = false) -> [(definitionId: String, message: MessageDefinition)] {
        if mqtt { return mqttReceivers.filter { MQTTTopic.matches(filter: $0.filter, topic: topic) }.map { ($0.definitionId, $0.message) } }
        return receiversByTopic[topic] ?? []
    }

    /// Kafka topics that deployed definitions trigger on or take messages from.
    public var kafkaTopics: Set<String> { Set(byTopic.keys).union(receiversByTopic.keys) }
    /// MQTT topic filters that deployed definitions trigger on or take messages from.
    public var mqttFilters: Set<String> { Set(byMQTTFilter.map(\.filter)).union(mqttReceivers.map(\.filter)) }
}

/// MQTT topic filters: `+` matches one level, `#` (last) any number of levels.
public enum MQTTTopic {
    public static func matches(filter: String, topic: String) -> Bool {
        if filter == topic { return true }
        let f = filter.split(separator: "/", omittingEmptySubsequences: false)
        let t = topic.split(separator: "/", omittingEmptySubsequences: false)
        var i = 0
        while i < f.count {
            if f[i] == "#" { return i == f.count - 1 && !(topic.hasPrefix("$") && i == 0) }
            guard i < t.count else { return false }
            if f[i] == "+" {
                if i == 0 && t[0].hasPrefix("$") { return false }
            } else if f[i] != t[i] {
                return false
            }
            i += 1
        }
        return i == t.count
    }
}

/// What routing an event needs of the definitions listening on its topic, prepared once per
/// deployment: the paths it reads from every event (correlation keys that are a path, the
/// `path = literal` guards of trigger conditions), each read once per event however many
/// definitions use it; a definition whose guard fails is not evaluated at all.
public final class TopicRoute: Sendable {
    public let targets: [(ProcessDefinition, Int)]
    /// Kept by the registry until the next deployment (so its identity may key caches);
    /// false for routes made for one call (MQTT topics, a named definition).
    let kept: Bool
    /// Per target, what routing asks of it most (read without copying the definition).
    let ids: [String]
    let hasKey: [Bool]
    /// Whether any target has a correlation key (else there are no running instances to look up).
    let anyKey: Bool
    /// The ids of the targets with a key; the slots in `paths` their keys are read from, and
    /// the targets whose key must be evaluated.
    let keyed: Set<String>
    let keySlots: [Int]
    let evaluatedKeys: [Int]
    let hasHoldFor: [Bool]
    /// Per target: whether its trigger has window aggregates (fed by every event of its keys).
    let windowed: [Bool]
    /// Distinct paths read from each event.
    let paths: [[String]]
    /// Per target: the index in `paths` of its correlation key (nil: no key, or a key that
    /// must be evaluated).
    let keyPath: [Int?]
    /// Per target: (index in `paths`, literal) pairs that must all match for its condition
    /// to be able to hold.
    let guards: [[(Int, Value)]]

    init(_ targets: [(ProcessDefinition, Int)], kept: Bool = false) {
        self.targets = targets
        self.kept = kept
        ids = targets.map { $0.0.id }
        let hasKey = targets.map { $0.0.correlationKey != nil }
        self.hasKey = hasKey
        anyKey = hasKey.contains(true)
        keyed = Set(targets.indices.filter { hasKey[$0] }.map { targets[$0].0.id })
        hasHoldFor = targets.map { $0.0.trigger?.holdFor != nil }
        let windowed = targets.map { !($0.0.trigger?.windows.isEmpty ?? true) }
        self.windowed = windowed
        var paths: [[String]] = []
        var index: [[String]: Int] = [:]
        func slot(_ p: [String]) -> Int {
            if let i = index[p] { return i }
            paths.append(p)
            index[p] = paths.count - 1
            return paths.count - 1
        }
        let keyPath = targets.map { t in t.0.correlationKeyPath.map(slot) }
        self.keyPath = keyPath
        keySlots = Array(Set(keyPath.compactMap { $0 })).sorted()
        evaluatedKeys = targets.indices.filter { hasKey[$0] && keyPath[$0] == nil }
        // a windowed condition may name a window where a guard reads an event path: not guarded
        guards = targets.indices.map { i in
            windowed[i] ? [] : (targets[i].0.trigger?.condition?.equalityGuards ?? []).map { (slot($0.path), $0.value) }
        }
        self.paths = paths
        // the path most targets guard with a literal (`tags.site = "site7"`): an event's value
        // there names the few targets whose condition can hold, looked up instead of tried
        var guarded: [Int: Int] = [:]
        for g in guards { for p in Set(g.map(\.0)) { guarded[p, default: 0] += 1 } }
        if let (p, n) = guarded.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }), n >= 4 {
            var byLiteral: [Value: [Int]] = [:]
            var always: [Int] = []
            for i in targets.indices {
                // a `for:` run (to break) needs every event; so does a key while an instance of
                // the definition may be running (to refresh it): the caller adds those
                // (windows count every event of the key too)
                if let literal = guards[i].first(where: { $0.0 == p })?.1, !hasHoldFor[i], !windowed[i] {
                    byLiteral[literal, default: []].append(i)
                } else {
                    always.append(i)
                }
            }
            literalIndex = (p, byLiteral, always, targets.indices.filter { hasKey[$0] && !always.contains($0) })
        } else {
            literalIndex = nil
        }
    }

    /// Targets looked up by the value of one guarded path, those to try for every event, and
    /// the looked-up ones with a key.
    let literalIndex: (path: Int, byLiteral: [Value: [Int]], always: [Int], keyed: [Int])?

    /// The targets an event can concern, in order, when only those it starts or refreshes
    /// matter (intake from Kafka and MQTT): the ones its guarded value names, those that need
    /// every event and `running` (keyed ones that may have a running instance); nil: all.
    func candidates(_ values: [Value?], running: [Int]) -> [Int]? {
        guard let (p, byLiteral, always, _) = literalIndex else { return nil }
        let hits = values[p].flatMap { byLiteral[$0] } ?? []
        if always.isEmpty && running.isEmpty { return hits }
        return Array(Set(always + running + hits)).sorted()
    }

    /// The values an event has at `paths` (nil where it has none).
    public func read(_ event: Value) -> [Value?] { paths.map { event.lookup(components: $0) } }

    /// A target's correlation key for an event whose paths were read.
    public func key(_ i: Int, _ event: Value, _ values: [Value?]) -> String? {
        if let k = keyPath[i] {
            guard let v = values[k], !v.isNull else { return nil }
            return v.interpolated
        }
        return EventIntake.correlationKey(event, targets[i].0)
    }

    /// Whether a target's trigger condition can hold (its guards match); it must still be evaluated.
    public func mayHold(_ i: Int, _ values: [Value?]) -> Bool {
        guards[i].allSatisfy { values[$0.0] == $0.1 }
    }
}
