/// Where something is in a definition file. Lines and columns are 1-based.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a definition, printed as `file:line:col: error: message` (or `warning:` for
/// one that does not stop the definition from deploying).
public struct DefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String
    /// A warning: shown by `bpm validate`, the definition deploys.
    public let isWarning: Bool

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
        isWarning = false
    }

    /// A warning at a location.
    public init(warning message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
        isWarning = true
    }

    public var description: String { "\(location): \(isWarning ? "warning" : "error"): \(message)" }
}

/// Every problem found in a definition; a definition is only deployed when there are none.
public struct DefinitionErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [DefinitionError]

    public init(_ errors: [DefinitionError]) {
        self.errors = errors.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
