import BPMExpressions

/// A DMN model: decisions, the input data they need, business knowledge models, decision
/// services, item definitions, and the models it imports.
public struct DecisionModel: Sendable {
    public var name: String
    /// The model's namespace (DMN 1.5 §6.3.2), by which other models import it.
    public var namespace: String = ""
    public var decisions: [Decision]
    public var inputData: [String]
    public var knowledge: [String: BusinessKnowledgeModel]
    /// Decision services: functions over some decisions, callable by name.
    public var services: [String: DecisionService] = [:]
    /// The declared type of each input data element (its variable's typeRef), by name.
    public var inputTypes: [String: FEELType] = [:]
    /// Item definitions (§7.3.2) as types, by name.
    public var types: [String: FEELType] = [:]
    /// Imported models by the prefix (the import's name) that qualifies their names (§6.3.3).
    public var imports: [String: DecisionModel] = [:]
    /// DRG element names by id (for references from importing models).
    public var elementIds: [String: String] = [:]

    public func decision(_ nameOrId: String) -> Decision? {
        decisions.first { $0.name == nameOrId } ?? decisions.first { $0.id == nameOrId }
    }

    /// The names of the model's DRG elements (set by the reader): a decision sees only those
    /// its requirements name.
    public var elementNames: Set<String> = []
}

/// A reference from one DRG element to another (DMN 1.5 §6.3.x `href`): an element of this
/// model, or of an imported one (its import prefix).
public struct ElementReference: Sendable, Hashable {
    public var prefix: String?
    public var name: String
}

/// One decision: its logic and what it requires.
public struct Decision: Sendable {
    public var id: String
    public var name: String
    public var typeRef: String?
    /// The type of its result (§7.3.4): a result that does not conform, or convert, is null.
    public var type: FEELType? = nil
    /// Names of the decisions whose results it uses.
    public var requiredDecisions: [String]
    public var expression: BoxedExpression
    /// The input data it requires (information requirements).
    public var requiredInputs: [ElementReference] = []
    /// Decisions of imported models it requires.
    public var requiredImported: [ElementReference] = []
    /// Business knowledge models and decision services it invokes (knowledge requirements).
    public var requiredKnowledge: [ElementReference] = []
}

/// A decision service: its parameters are its input data and input decisions (in that
/// order); calling it evaluates its output decisions (one value, or a context of several).
public struct DecisionService: Sendable {
    public var name: String
    public var inputDecisions: [String]
    public var inputData: [String]
    public var outputs: [String]
    public var parameters: [String] { inputData + inputDecisions }
    /// The type of its result (its variable's typeRef, when that is not a function type).
    public var type: FEELType? = nil
    /// Whether its result is a context even for one output decision: DMN 1.1 and 1.2 models
    /// (DMN 1.3 made a single output decision's value the result, issue DMN13-163).
    public var resultIsContext = false
}

/// A business knowledge model: a function (parameters and a body) decisions invoke.
public struct BusinessKnowledgeModel: Sendable {
    public var name: String
    public var parameters: [String]
    public var body: BoxedExpression
    /// Parameter types (§10.3.2.9.4: arguments are converted to them, or the result is null).
    public var parameterTypes: [FEELType?] = []
    /// The type of the result.
    public var resultType: FEELType? = nil
    /// The business knowledge models and services its body invokes.
    public var requiredKnowledge: [ElementReference] = []
}

/// DMN's boxed expressions (§7.2, §10.2).
public indirect enum BoxedExpression: Sendable {
    case literal(Expression)
    case decisionTable(DecisionTable)
    case context([(name: String, value: BoxedExpression)], result: BoxedExpression?)
    case invocation(function: String, bindings: [(name: String, value: BoxedExpression)])
    case list([BoxedExpression])
    case relation(columns: [String], rows: [[BoxedExpression]])
    /// A function definition: parameters and a body, evaluating to a function value.
    /// Arguments are converted to the parameters' types, where declared (§10.3.2.9.4).
    case function(parameters: [String], types: [FEELType?], body: BoxedExpression)
    /// A boxed conditional (DMN 1.5 §10.2.9): `if` … `then` … `else`.
    case conditional(BoxedExpression, then: BoxedExpression, else: BoxedExpression)
    /// A boxed filter (§10.2.11): the items of `in` for which `match` is true.
    case filter(BoxedExpression, match: BoxedExpression)
    /// A boxed iterator (§10.2.10): `for`, `some` or `every` over `in`.
    case iterator(Iteration, variable: String, in: BoxedExpression, body: BoxedExpression)
    /// An expression with a declared type (`typeRef`): its value converted to the type (§10.3.2.9.4).
    case typed(BoxedExpression, FEELType)
    /// A literal expression that failed to parse: evaluates to an error naming the problem.
    case invalid(String)

    /// The kinds of boxed iterator.
    public enum Iteration: String, Sendable { case `for`, some, every }
}

/// A decision table.
public struct DecisionTable: Sendable {
    public enum HitPolicy: String, Sendable {
        case unique = "UNIQUE", any = "ANY", priority = "PRIORITY", first = "FIRST"
        case collect = "COLLECT", ruleOrder = "RULE ORDER", outputOrder = "OUTPUT ORDER"
    }
    public enum Aggregation: String, Sendable { case sum = "SUM", min = "MIN", max = "MAX", count = "COUNT" }

    public struct Input: Sendable {
        public var expression: Expression
        public var allowed: UnaryTests?
        /// The `<input>`'s `id` and `label` (what evaluation traces report).
        public var id: String? = nil
        public var label: String? = nil
    }

    public struct Output: Sendable {
        public var name: String?
        /// The allowed values in priority order (PRIORITY and OUTPUT ORDER use it).
        public var allowed: [Value]?
        public var defaultValue: Expression?
        /// The output's declared type (`typeRef`).
        public var type: FEELType? = nil
        /// The `<output>`'s `id` and `label`.
        public var id: String? = nil
        public var label: String? = nil
    }

    public struct Rule: Sendable {
        public var tests: [UnaryTests]
        public var outputs: [Expression]
        /// The `<rule>`'s `id`.
        public var id: String? = nil
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
