/// The syntax tree of a parsed expression. Built once per definition, evaluated many times.
indirect enum Node: Sendable {
    case literal(Value)
    case name(String, column: Int)
    case path(Node, String)
    case filter(Node, Node, column: Int)
    case call(String, [Node], column: Int)
    /// A call of a function the context provides (a DMN business knowledge model).
    case externalCall(String, [Node], names: [String?] = [])
    case unary(String, Node)
    case binary(String, Node, Node, column: Int)
    case and(Node, Node)
    case or(Node, Node)
    case between(Node, Node, Node)
    case inTest(Node, [UnaryTest])
    case ifThenElse(Node, Node, Node)
    case list([Node])
    case context([(String, Node)])
    case range(low: Node?, high: Node?, lowInclusive: Bool, highInclusive: Bool)
    case quantified(every: Bool, [(String, Node)], Node)
    case forLoop([(String, Node)], Node)
    case instanceOf(Node, FEELType)
    /// `function(a, b) body`; parameters may be typed (`function(a: number)`).
    case lambda([String], Node, types: [FEELType?] = [])
    /// A call of a function value: `f(1, 2)` where `f` is a variable, `(function(x) x)(1)`.
    case invoke(Node, [Node], names: [String?] = [])
}

/// The right-hand side of `in`: a value to compare with (a list tests membership, a range
/// containment) or a comparison such as `< 5`.
enum UnaryTest: Sendable {
    case equals(Node)
    case compare(String, Node)
}

/// A decision table input entry: any value, a list of tests (one must match), or their negation.
enum UnaryTestList: Sendable {
    case any
    case tests([UnaryTest])
    case not([UnaryTest])
}
