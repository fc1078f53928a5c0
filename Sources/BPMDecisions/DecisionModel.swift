import BPMExpressions

/// A DMN model: decisions, the input data they need, and business knowledge models.
public struct DecisionModel: Sendable {
    public var name: String
    public var decisions: [Decision]
    public var inputData: [String]
    public var knowledge: [String: BusinessKnowledgeModel]
    /// Decision services: functions over some decisions, callable by name.
    public var services: [String: DecisionService] = [:]

    public func decision(_ nameOrId: String) -> Decision? {
        decisions.first { $0.name == nameOrId } ?? decisions.first { $0.id == nameOrId }
    }
}

/// One decision: its logic and what it requires.
public struct Decision: Sendable {
    public var id: String
    public var name: String
    public var typeRef: String?
    /// Names of the decisions whose results it uses.
    public var requiredDecisions: [String]
    public var expression: BoxedExpression
}

/// A decision service: its parameters are its input data and input decisions (in that
/// order); calling it evaluates its output decisions (one value, or a context of several).
public struct DecisionService: Sendable {
    public var name: String
    public var inputDecisions: [String]
    public var inputData: [String]
    public var outputs: [String]
    public var parameters: [String] { inputData + inputDecisions }
}

/// A business knowledge model: a function (parameters and a body) decisions invoke.
public struct BusinessKnowledgeModel: Sendable {
    public var name: String
    public var parameters: [String]
    public var body: BoxedExpression
}

/// DMN's boxed expressions.
public indirect enum BoxedExpression: Sendable {
    case literal(Expression)
    case decisionTable(DecisionTable)
    case context([(name: String, value: BoxedExpression)], result: BoxedExpression?)
    case invocation(function: String, bindings: [(name: String, value: BoxedExpression)])
    case list([BoxedExpression])
    case relation(columns: [String], rows: [[BoxedExpression]])
    /// A function definition: parameters and a body, evaluating to a function value.
    case function(parameters: [String], body: BoxedExpression)
    /// A literal expression that failed to parse: evaluates to an error naming the problem.
    case invalid(String)
}

/// A decision table.
public struct DecisionTable: Sendable {
    public enum HitPolicy: String, Sendable { case unique = "UNIQUE", any = "ANY", priority = "PRIORITY", first = "FIRST",
                                                 collect = "COLLECT", ruleOrder = "RULE ORDER", outputOrder = "OUTPUT ORDER" }
    public enum Aggregation: String, Sendable { case sum = "SUM", min = "MIN", max = "MAX", count = "COUNT" }

    public struct Input: Sendable {
        public var expression: Expression
        public var allowed: UnaryTests?
    }

    public struct Output: Sendable {
        public var name: String?
        /// The allowed values in priority order (PRIORITY and OUTPUT ORDER use it).
        public var allowed: [Value]?
        public var defaultValue: Expression?
    }

    public struct Rule: Sendable {
        public var tests: [UnaryTests]
        public var outputs: [Expression]
    }

    public var hitPolicy: HitPolicy
    public var aggregation: Aggregation?
    public var inputs: [Input]
    public var outputs: [Output]
    public var rules: [Rule]
    /// The decision's name, used as the result name of a single unnamed output.
    public var outputLabel: String?
}

/// Why a decision could not be evaluated.
public struct DecisionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
