import BPMExpressions

/// Bounds that keep hostile or broken input from exhausting the engine. Each has a default
/// that real processes stay far below, a `bpm serve` option, and a precise error when crossed
/// (naming the limit and the option that raises it).
public struct Limits: Sendable, Equatable {
    /// Bytes of one definition file (YAML, BPMN, DMN).
    public var definitionBytes = 4 << 20
    /// Flow elements of one process (every scope together).
    public var elements = 10_000
    /// Values a YAML document may expand to: aliases (`*name`) repeat what they refer to, so
    /// a small file can expand exponentially ("billion laughs").
    public var yamlNodes = 200_000
    /// Steps one expression evaluation may take (past it the result is null).
    public var expressionSteps = 5_000_000
    /// Nesting depth of one expression evaluation (function calls).
    public var expressionDepth = 400
    /// Instances one multi-instance activity may create from its loop cardinality.
    public var loopInstances = 10_000
    /// Bytes of an API request body (a definition deploy may be up to `definitionBytes`).
    public var requestBytes = 1 << 20
    /// Bytes of the variables one request or event hands to an instance (as JSON).
    public var variablesBytes = 512 << 10
    /// Bytes of one event from Kafka or MQTT; larger ones are dead-lettered as `too_large`.
    public var eventBytes = 1 << 20
    /// Seconds a job activation may long-poll (`requestTimeout` is cut to this).
    public var longPollSeconds = 120.0
    /// Element activations one command may cause in an instance without it waiting (for a
    /// timer, a job, a person, a message…); past it an incident stops the runaway loop.
    public var steps = 10_000

    public init() {}

    /// The limits in force for reading definitions and evaluating expressions; set once at
    /// start-up, before any definition is read.
    nonisolated(unsafe) public static var active = Limits() {
        didSet { ExpressionBudget.configure(steps: active.expressionSteps, depth: active.expressionDepth) }
    }

    /// Each limit, named by the option of `bpm serve` that sets it (for error messages).
    public enum Option: String, Sendable, CaseIterable {
        case definitionBytes = "--max-definition-bytes", elements = "--max-elements", yamlNodes = "--max-yaml-nodes"
        case expressionSteps = "--max-expression-steps", expressionDepth = "--max-expression-depth", loopInstances = "--max-loop-instances"
        case requestBytes = "--max-request-bytes", variablesBytes = "--max-variables-bytes", eventBytes = "--max-event-bytes"
        case longPollSeconds = "--max-long-poll", steps = "--max-steps"
    }

    /// A definition source too large to read, as its error; nil when within the limit.
    public static func sizeError(_ source: String, file: String) -> DefinitionErrors? {
        let n = source.utf8.count
        guard n > active.definitionBytes else { return nil }
        return DefinitionErrors([DefinitionError("the file is \(n) bytes; definitions are limited to \(active.definitionBytes) bytes (\(Option.definitionBytes.rawValue))",
                                                 at: SourceLocation(file: file, line: 1, column: 1))])
    }

    /// A process with more elements than allowed, as its error.
    static func elementsError(_ definition: ProcessDefinition, at location: SourceLocation) -> DefinitionError? {
        guard definition.elements.count > active.elements else { return nil }
        return DefinitionError("process '\(definition.id)' has \(definition.elements.count) elements; at most \(active.elements) are allowed (\(Option.elements.rawValue))", at: location)
    }
}
