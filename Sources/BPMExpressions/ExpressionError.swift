/// An error in an expression: a syntax error found while parsing, or an evaluation error.
/// `column` is 1-based within the expression text.
public struct ExpressionError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public let column: Int

    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    public var description: String { "column \(column): \(message)" }
}
