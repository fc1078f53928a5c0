/// FEEL's type grammar (DMN 1.5 §10.3.1.2, rule 54 `type`): qualified names, and
/// `list<T>`, `context<k: T, …>`, `range<T>`, `function<T, …> -> T`.
extension Parser {
    /// The multi-word names of FEEL's built-in types.
    static let builtinTypeNames = ["date and time", "days and time duration", "years and months duration"]

    /// Parses a type at the current token; item definition names come from `types`.
    mutating func parseType() throws(ExpressionError) -> FEELType {
        let column = current.column
        guard case .name(let first) = current.kind else {
            throw ExpressionError("expected a type name", column: column)
        }
        if first == "context" || first == "function", peekIsOp("<>") {
            // `context<>` (any context) and `function<> -> T` (no parameters)
            p += 2
            guard first == "function" else { return .context([]) }
            try expect("-")
            try expect(">")
            return .function(parameters: [], result: try parseType())
        }
        if ["list", "range", "context", "function"].contains(first), peekIsOp("<") {
            p += 2
            switch first {
            case "list":
                let t = try parseType()
                try closeAngle()
                return .list(t)
            case "range":
                let t = try parseType()
                try closeAngle()
                return .range(t)
            case "context":
                var entries: [FEELType.ContextEntryType] = []
                repeat {
                    if !entries.isEmpty { p += 1 }
                    let name = try wordsUntil { $0 == ":" }
                    try expect(":")
                    entries.append(.init(name: name, type: try parseType()))
                } while isOp(",")
                try closeAngle()
                return .context(entries)
            default:
                var params: [FEELType] = []
                if !isOp(">") {
                    repeat {
                        if !params.isEmpty { p += 1 }
                        params.append(try parseType())
                    } while isOp(",")
                }
                try closeAngle()
                try expect("-")
                try expect(">")
                return .function(parameters: params, result: try parseType())
            }
        }
        let (name, count) = longestTypeName()
        p += count
        if let t = FEELType.builtin(name) ?? types[name] { return t }
        throw ExpressionError("unknown type '\(name)'", column: column)
    }

    /// `>` closing a type's parameters; `>>` and `>=` never appear there, so `>` alone.
    mutating func closeAngle() throws(ExpressionError) {
        try expect(">")
    }

    /// Words (and dots between them) up to a token `stop` accepts, joined by spaces.
    mutating func wordsUntil(_ stop: (String) -> Bool) throws(ExpressionError) -> String {
        var words: [String] = []
        while true {
            switch current.kind {
            case .name(let w): words.append(renames[w] ?? w)
            case .string(let s): words.append(s)
            case .op(let o) where !stop(o): words.append(o)
            default:
                guard !words.isEmpty else { throw ExpressionError("expected a name", column: current.column) }
                return words.joined(separator: " ")
            }
            p += 1
        }
    }

    /// The longest type name (a built-in multi-word name or an item definition, possibly
    /// qualified with an import's prefix) starting at the current token.
    func longestTypeName() -> (String, Int) {
        guard case .name(let first) = current.kind else { return ("", 0) }
        var best = (renames[first] ?? first, 1)
        var text = renames[first] ?? first
        var j = p + 1
        while j < tokens.count {
            if case .name(let w) = tokens[j].kind {
                text += " " + (renames[w] ?? w)
            } else if case .op(".") = tokens[j].kind, j + 1 < tokens.count, case .name(let w) = tokens[j + 1].kind {
                text += "." + (renames[w] ?? w)
                j += 1
            } else {
                break
            }
            j += 1
            if Self.builtinTypeNames.contains(text) || types[text] != nil { best = (text, j - p) }
            let prefix = text + " "
            if !Self.builtinTypeNames.contains(where: { $0.hasPrefix(prefix) }),
                !types.keys.contains(where: { $0.hasPrefix(text) })
            {
                break
            }
        }
        return best
    }
}

extension FEELType {
    /// Parses a type written in FEEL's type grammar (a DMN `typeRef`); `types` names the item
    /// definitions in scope. Nil when the text is not a type.
    public static func parse(_ text: String, types: [String: FEELType] = [:]) -> FEELType? {
        if let t = builtin(text) ?? types[text] { return t }
        var lexer = Lexer(text)
        guard let tokens = try? lexer.tokenize() else { return nil }
        var parser = Parser(tokens: tokens)
        parser.types = types
        guard let t = try? parser.parseType(), case .end = parser.current.kind else { return nil }
        return t
    }
}
