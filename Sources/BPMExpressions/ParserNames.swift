import Foundation

/// Name resolution in the parser (DMN 1.5 §10.3.1.2 rules 27–30 and §10.3.1.4): a name may
/// contain spaces and words that are also keywords; where the grammar alone cannot tell, the
/// longest name in scope that matches wins. Names come into scope from the model (DMN
/// elements, item components), and from the expression itself (context entry keys, `for` and
/// quantifier variables, function parameters) as the parser reads them.
extension Parser {
    /// Brings a name read in the expression into scope for the rest of it.
    mutating func learn(_ name: String) {
        guard name.contains(" "), !knownNames.contains(name) else { return }
        knownNames.insert(name)
        longestKnownName = max(longestKnownName, name.split(separator: " ").count)
    }

    /// An iteration variable of `for`, `some` or `every`: the words up to `in`.
    mutating func iterationName() throws(ExpressionError) -> String {
        var words: [String] = []
        while case .name(let w) = current.kind, w != "in" {
            words.append(renames[w] ?? w)
            p += 1
        }
        guard !words.isEmpty else { throw ExpressionError("expected a variable name", column: current.column) }
        let name = words.joined(separator: " ")
        learn(name)
        return name
    }

    /// The longest name in scope made of the name tokens from `k` on, with its token count.
    func longestKnownName(at k: Int) -> (String, Int)? {
        guard longestKnownName > 1 else { return nil }
        var words: [String] = []
        var best: (String, Int)?
        var j = k
        while j < tokens.count, words.count < longestKnownName {
            // a name's later words may be numbers (`Extra days case 1`)
            if case .name(let w) = tokens[j].kind {
                words.append(w)
            } else if case .number(let d) = tokens[j].kind, !words.isEmpty {
                words.append(Value.format(number: d))
            } else {
                break
            }
            j += 1
            let candidate = words.joined(separator: " ")
            if words.count > 1, knownNames.contains(candidate) { best = (candidate, words.count) }
        }
        return best
    }

    /// The member name after `.` in a path (rule 43 `path expression`): the longest name in
    /// scope, else one word; `time offset` is the one two-word property of the built-in types
    /// besides `start included` and `end included` of ranges.
    mutating func memberName() throws(ExpressionError) -> String {
        switch current.kind {
        case .name(let name):
            if let (long, count) = longestKnownName(at: p) {
                p += count
                return long
            }
            p += 1
            for (a, b) in [("time", "offset"), ("start", "included"), ("end", "included")] where name == a && isName(b)
            {
                p += 1
                return a + " " + b
            }
            return renames[name] ?? name
        case .string(let name):
            p += 1
            return name
        default:
            throw ExpressionError("expected a name after '.'", column: current.column)
        }
    }

    /// The name of a named argument (`f(start position: 2)`): the words before a `:`, or nil
    /// when the argument is not named.
    mutating func argumentName() -> String? {
        var words: [String] = []
        var j = p
        while j < tokens.count, case .name(let w) = tokens[j].kind {
            words.append(renames[w] ?? w)
            j += 1
        }
        guard !words.isEmpty, j < tokens.count, case .op(":") = tokens[j].kind else { return nil }
        p = j + 1
        return words.joined(separator: " ")
    }

    /// A name as written between token `first` and the current one (`foo+bar`, not
    /// `foo + bar`), when the source text is known; else the words joined by spaces.
    func sourceText(from first: Int, wordsUntil words: String) -> String {
        guard !source.isEmpty, first < p, tokens[first].column - 1 < tokens[p].column - 1,
            tokens[p].column - 1 <= source.count
        else { return words }
        var text = String(String.UnicodeScalarView(source[(tokens[first].column - 1)..<(tokens[p].column - 1)]))
        text = text.trimmingCharacters(in: .whitespaces)
        for (placeholder, name) in renames { text = text.replacingOccurrences(of: placeholder, with: name) }
        return text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
