import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// How an event relates to one definition: the variables it carries, its correlation key,
/// and whether it satisfies the trigger condition.
public struct EventMatch: Sendable {
    /// Variables taken from the event's paths (only those present in the event).
    public var eventVariables: [String: Value]
    /// Constant variables (`value:`), set when an instance starts.
    public var constants: [String: Value]
    /// The correlation key, when the definition has one and the event yields a value.
    public var correlationKey: String?
    /// Whether the trigger condition holds (true when there is none).
    public var conditionHolds: Bool

    /// Variables for a new instance: constants, then the event's values.
    public var startVariables: [String: Value] { constants.merging(eventVariables) { _, e in e } }
}

/// Evaluates events against definitions: the plan's trigger conditions and `variables:` paths.
public enum EventIntake {
    /// The correlation key an event carries for a definition (nil: none, or no key defined).
    public static func correlationKey(_ event: Value, _ def: ProcessDefinition) -> String? {
        guard let k = def.correlationKey else { return nil }
        if let path = def.correlationKeyPath, let v = event.lookup(components: path) { return v.isNull ? nil : v.interpolated }
        // the key sees the event, then the constants, then the event's variables
        let scope = (event.contextValue ?? [:]).merging(startVariables(event, def)) { _, v in v }
        let v = k.evaluate(scope)
        return v.isNull ? nil : v.interpolated
    }

    /// Whether the trigger condition holds for an event (true when there is none).
    public static func conditionHolds(_ event: Value, _ def: ProcessDefinition) -> Bool {
        def.trigger?.condition.map { $0.test(event.contextValue ?? [:]) } ?? true
    }

    /// The variables an event carries for a definition (its `source` paths present in it).
    public static func eventVariables(_ event: Value, _ def: ProcessDefinition) -> [String: Value] {
        var out: [String: Value] = [:]
        for v in def.variables { if let path = v.sourcePath, let value = event.lookup(components: path) { out[v.name] = value } }
        return out
    }

    /// The definition's constant variables (`value:`).
    public static func constants(_ def: ProcessDefinition) -> [String: Value] {
        var out: [String: Value] = [:]
        for v in def.variables where v.source == nil { if let value = v.value { out[v.name] = value } }
        return out
    }

    /// Variables for an instance an event starts: constants, then the event's values.
    public static func startVariables(_ event: Value, _ def: ProcessDefinition) -> [String: Value] {
        constants(def).merging(eventVariables(event, def)) { _, e in e }
    }

    /// Everything at once (the simulator's view of an event).
    public static func match(_ event: Value, _ def: ProcessDefinition) -> EventMatch {
        EventMatch(eventVariables: eventVariables(event, def), constants: constants(def), correlationKey: correlationKey(event, def),
                   conditionHolds: conditionHolds(event, def))
    }
}

/// An event consumed from a broker: its payload as a value, the topic it came on and, for
/// Kafka, its position (stored with its effect).
public struct IntakeEvent: Sendable {
    public var value: Value
    public var topic: String
    /// Whether it came over MQTT (topic filters match it) rather than Kafka.
    public var mqtt: Bool
    public var offset: ConsumedOffset?

    public init(value: Value, topic: String, mqtt: Bool = false, offset: ConsumedOffset? = nil) {
        self.value = value
        self.topic = topic
        self.mqtt = mqtt
        self.offset = offset
    }
}

/// What a consumer hands to the engine: an event to route, or only a position to store (an
/// event that was set aside as bad).
public enum IntakeItem: Sendable {
    case event(IntakeEvent)
    case consumed(ConsumedOffset)
}

/// Why a consumed event cannot be used: the reason (a bounded label for metrics and the
/// dead-letter header) and a precise detail.
public struct EventProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// `too_large`, `not_json`, `not_object`, `missing_path`, `wrong_type`.
    public var reason: String
    public var detail: String

    public init(_ reason: String, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason): \(detail)" }
}

/// Decodes consumed payloads and decides whether an event is usable: JSON, an object, and
/// usable by at least one definition listening on its topic — it has every path that
/// definition takes variables from, and the trigger condition gives true or false (not null,
/// which is what a wrong type gives, e.g. a string compared with a number). An event that no
/// listening definition can use is bad and goes to the dead-letter topic; one that some
/// definition can use is delivered (each definition then decides for itself).
public enum EventDecoder {
    public static func decode(_ bytes: [UInt8], topic: String, mqtt: Bool = false, registry: DefinitionRegistry) -> Result<Value, EventProblem> {
        let limit = Limits.active.eventBytes
        guard bytes.count <= limit else {
            return .failure(EventProblem("too_large", "the payload is \(bytes.count) bytes; events are limited to \(limit) bytes (\(Limits.Option.eventBytes.rawValue))"))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(EventProblem("not_json", "the payload is not UTF-8 text")) }
        let value: Value
        do { value = try JSON.parse(text) } catch { return .failure(EventProblem("not_json", "\(error)")) }
        guard case .context = value else { return .failure(EventProblem("not_object", "the payload is JSON \(value.typeName), not an object")) }
        let defs = registry.triggered(byTopic: topic, mqtt: mqtt)
        let receivers = registry.receivers(ofTopic: topic, mqtt: mqtt)
        if defs.isEmpty && receivers.isEmpty { return .success(value) }
        var first: EventProblem?
        for (def, _) in defs {
            guard let p = problem(value, def) else { return .success(value) }
            if first == nil { first = p }
        }
        for (_, m) in receivers {
            guard let path = m.keyPath, value.lookup(path: path) == nil else { return .success(value) }
            if first == nil { first = EventProblem("missing_path", "no '\(path)' (the key of message '\(m.name)')") }
        }
        return .failure(first!)
    }

    /// Why a definition cannot use an event, if it cannot.
    static func problem(_ event: Value, _ def: ProcessDefinition) -> EventProblem? {
        for v in def.variables {
            if let path = v.source, let parts = v.sourcePath, event.lookup(components: parts) == nil {
                return EventProblem("missing_path", "no '\(path)' (variable '\(v.name)' of \(def.id))")
            }
        }
        if let c = def.trigger?.condition {
            let r = c.evaluate((event.contextValue ?? [:]).merging(EventIntake.placeholderWindows(def)) { _, w in w })
            if case .bool = r {} else {
                return EventProblem("wrong_type", "the trigger condition of \(def.id) gives \(r.typeName), not true or false: \(c.source.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        return nil
    }
}
