import Foundation

/// Regular expressions in the XPath/XML Schema dialect FEEL uses (DMN 1.5 §10.3.4.3, XPath
/// F&O 5.6.1), with its flags (`i`, `s`, `m`, `x`, `q`); nil for invalid patterns or flags.
/// The dialect differs from ICU's where translated: `x` removes whitespace outside character
/// classes only, class subtraction is written `[a-z-[aeiou]]`, `\p{IsBlock}` names a block,
/// and a back-reference inside a class is an error.
enum Patterns {
    static func regex(_ pattern: String, _ flags: Value) -> NSRegularExpression? {
        var options: NSRegularExpression.Options = []
        var pat = pattern
        var literal = false, extended = false
        if case .string(let f) = flags {
            for c in f {
                switch c {
                case "i": options.insert(.caseInsensitive)
                case "s": options.insert(.dotMatchesLineSeparators)
                case "m": options.insert(.anchorsMatchLines)
                case "x": extended = true
                case "q": literal = true
                default: return nil
                }
            }
        } else if !flags.isNull {
            return nil
        }
        if literal {
            pat = NSRegularExpression.escapedPattern(for: pattern)
        } else {
            guard let translated = translate(pattern, extended: extended) else { return nil }
            pat = translated
        }
        return try? NSRegularExpression(pattern: pat, options: options)
    }

    /// The XPath pattern as an ICU pattern; nil where XPath makes it an error.
    static func translate(_ pattern: String, extended: Bool) -> String? {
        var out = ""
        var inClass = 0
        var chars = Array(pattern)
        if extended {
            // whitespace outside character classes is removed; inside them it stays
            var kept: [Character] = []
            var depth = 0, escaped = false
            for c in chars {
                let space = c == " " || c == "\t" || c == "\n" || c == "\r"
                if escaped, space, depth == 0 { continue }  // `\ s` is `\s`: the space goes first
                if escaped { kept.append(c); escaped = false; continue }
                if c == "\\" { kept.append(c); escaped = true; continue }
                if c == "[" { depth += 1 } else if c == "]", depth > 0 { depth -= 1 }
                if depth == 0, space { continue }
                kept.append(c)
            }
            chars = kept
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let n = chars[i + 1]
                if inClass > 0, n.isNumber { return nil }  // a back-reference in a class
                if n == "p" || n == "P", i + 4 < chars.count, chars[i + 2] == "{", chars[i + 3] == "I",
                    chars[i + 4] == "s"
                {
                    out += "\\\(n){In"
                    i += 5
                    continue
                }
                out.append(c)
                out.append(n)
                i += 2
                continue
            }
            if c == "[" { inClass += 1 }
            if c == "]", inClass > 0 { inClass -= 1 }
            if c == "-", inClass > 0, i + 1 < chars.count, chars[i + 1] == "[" {
                out += "--"  // class subtraction, as ICU writes it
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
