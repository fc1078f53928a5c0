import BPMExpressions
import BPMModel

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
    public static func match(_ event: Value, _ def: ProcessDefinition) -> EventMatch {
        var fromEvent: [String: Value] = [:]
        var constants: [String: Value] = [:]
        for v in def.variables {
            if let path = v.source {
                if let value = event.lookup(path: path) { fromEvent[v.name] = value }
            } else if let value = v.value {
                constants[v.name] = value
            }
        }
        var scope = event.contextValue ?? [:]
        scope.merge(constants) { _, c in c }
        scope.merge(fromEvent) { _, e in e }
        var key: String?
        if let k = def.correlationKey {
            let v = k.evaluate(scope)
            if !v.isNull { key = v.interpolated }
        }
        let holds = def.trigger?.condition.map { $0.test(event.contextValue ?? [:]) } ?? true
        return EventMatch(eventVariables: fromEvent, constants: constants, correlationKey: key, conditionHolds: holds)
    }
}
