/// A token of the expression language, with its 1-based column in the source text.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case string(String)
        /// `@"2017-01-01"`: a temporal literal.
        case at(String)
        case name(String)
        case op(String)  // punctuation and operators
        case end
    }
    let kind: Kind
    let column: Int
}

/// Splits expression text into tokens. Accepts FEEL and the C-style operators `==`, `!=`, `&&`, `||`, `!`.
struct Lexer {
    let scalars: [Unicode.Scalar]
    var i = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    static let threeChar: Set<String> = []
    static let twoChar: Set<String> = ["==", "!=", "<=", ">=", "&&", "||", "..", "**", "<>"]
    static let oneChar: Set<Unicode.Scalar> = ["+", "-", "*", "/", "%", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", "!", "?"]

    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var out: [Token] = []
        var lastEnd = 0  // just past the last token: where "end of expression" is reported
        while true {
            if !out.isEmpty { lastEnd = i }
            while i < scalars.count, scalars[i].properties.isWhitespace { i += 1 }
            let col = i + 1
            guard i < scalars.count else { out.append(Token(kind: .end, column: out.isEmpty ? 1 : lastEnd + 1)); return out }
            let c = scalars[i]
            if c.isASCIIDigit || (c == "." && i + 1 < scalars.count && scalars[i + 1].isASCIIDigit && !(out.last.map(Self.endsOperand) ?? false)) {
                out.append(Token(kind: .number(try number()), column: col))
            } else if c == "\"" || c == "'" {
                out.append(Token(kind: .string(try string(quote: c)), column: col))
            } else if c == "@", i + 1 < scalars.count, scalars[i + 1] == "\"" {
                i += 1
                out.append(Token(kind: .at(try string(quote: "\"")), column: col))
            } else if c.isNameStart {
                let start = i
                while i < scalars.count, scalars[i].isNamePart { i += 1 }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[start..<i])
                out.append(Token(kind: .name(String(s)), column: col))
            } else if c == "/" && i + 1 < scalars.count && scalars[i + 1] == "/" {
                // line comment
                while i < scalars.count, scalars[i] != "\n" { i += 1 }
            } else if c == "/" && i + 1 < scalars.count && scalars[i + 1] == "*" {
                i += 2
                while i + 1 < scalars.count, !(scalars[i] == "*" && scalars[i + 1] == "/") { i += 1 }
                guard i + 1 < scalars.count else { throw ExpressionError("unterminated comment", column: col) }
                i += 2
            } else {
                if i + 1 < scalars.count {
                    let two = String(c) + String(scalars[i + 1])
                    if Self.twoChar.contains(two) {
                        i += 2
                        out.append(Token(kind: .op(two), column: col))
                        continue
                    }
                }
                guard Self.oneChar.contains(c) else {
                    throw ExpressionError("unexpected character '\(c)'", column: col)
                }
                i += 1
                out.append(Token(kind: .op(String(c)), column: col))
            }
        }
    }

    static func endsOperand(_ t: Token) -> Bool {
        switch t.kind {
        case .number, .string, .name, .at: return true
        case .op(let o): return o == ")" || o == "]" || o == "}"
        case .end: return false
        }
    }

    mutating func number() throws(ExpressionError) -> Double {
        let start = i
        while i < scalars.count, scalars[i].isASCIIDigit { i += 1 }
        // a '.' followed by a digit is a fraction; '..' is a range operator
        if i + 1 < scalars.count, scalars[i] == ".", scalars[i + 1].isASCIIDigit {
            i += 1
            while i < scalars.count, scalars[i].isASCIIDigit { i += 1 }
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            var j = i + 1
            if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
            if j < scalars.count, scalars[j].isASCIIDigit {
                i = j
                while i < scalars.count, scalars[i].isASCIIDigit { i += 1 }
            }
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[start..<i])
        guard let d = Double(String(s)) else { throw ExpressionError("invalid number", column: start + 1) }
        return d
    }

    mutating func string(quote: Unicode.Scalar) throws(ExpressionError) -> String {
        let startCol = i + 1
        i += 1
        var out = String.UnicodeScalarView()
        while i < scalars.count, scalars[i] != quote {
            if scalars[i] == "\\", i + 1 < scalars.count {
                i += 1
                switch scalars[i] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "u", "U":
                    let n = scalars[i] == "u" ? 4 : 6
                    guard i + n < scalars.count,
                          var code = UInt32(String(String.UnicodeScalarView(scalars[(i + 1)...(i + n)])), radix: 16)
                    else { throw ExpressionError("bad \\u escape in string", column: i) }
                    i += n
                    // a UTF-16 surrogate pair written as two escapes is one character
                    if (0xD800...0xDBFF).contains(code), i + 6 < scalars.count, scalars[i + 1] == "\\", scalars[i + 2] == "u",
                       let low = UInt32(String(String.UnicodeScalarView(scalars[(i + 3)...(i + 6)])), radix: 16), (0xDC00...0xDFFF).contains(low)
                    {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    guard let sc = Unicode.Scalar(code) else { throw ExpressionError("bad \\u escape in string", column: i) }
                    out.append(sc)
                case "\"", "'", "\\": out.append(scalars[i])
                default:
                    // other escapes stay as written: regular expressions need them (`\\s`, `\\d`)
                    out.append("\\")
                    out.append(scalars[i])
                }
                i += 1
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        guard i < scalars.count else { throw ExpressionError("unterminated string", column: startCol) }
        i += 1
        return String(out)
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
    /// FEEL's name start characters (§10.3.1.2 rule 28) include the supplementary planes.
    var isNameStart: Bool {
        properties.isAlphabetic || self == "_" || self == "$" || (value >= 0x10000 && value <= 0xEFFFF)
    }
    var isNamePart: Bool { isNameStart || isASCIIDigit }
}
