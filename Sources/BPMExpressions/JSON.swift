/// A small, fast JSON reader and writer for `Value`.
///
/// Foundation's JSON on Linux boxes every number and string through `NSObject`; variables are
/// encoded on every committed step, so the engine uses this instead.
public enum JSON {
    /// Why a document is not JSON, with the byte offset where reading stopped.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public let offset: Int
        public var description: String { "invalid JSON at offset \(offset): \(message)" }
    }

    /// Parses a complete JSON document.
    public static func parse(_ text: String) throws(ParseError) -> Value {
        let r: Result<Value, ParseError>? = text.utf8.withContiguousStorageIfAvailable { buf in parseBuffer(buf) }
        if let r { return try r.get() }
        return try parse(bytes: Array(text.utf8))
    }

    /// Parses JSON bytes.
    public static func parse(bytes: [UInt8]) throws(ParseError) -> Value {
        try bytes.withUnsafeBufferPointer { buf in parseBuffer(buf) }.get()
    }

    static func parseBuffer(_ buf: UnsafeBufferPointer<UInt8>) -> Result<Value, ParseError> {
        var p = Parser(bytes: buf)
        do throws(ParseError) {
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            if p.i != buf.count { throw ParseError(message: "unexpected trailing characters", offset: p.i) }
            return .success(v)
        } catch {
            return .failure(error)
        }
    }

    /// Encodes a value as compact JSON with sorted object keys (stable output).
    public static func encode(_ value: Value) -> String {
        var out = ""
        out.reserveCapacity(64)
        write(value, to: &out)
        return out
    }

    /// Encodes a variables object.
    public static func encode(_ object: [String: Value]) -> String { encode(.context(object)) }

    static func write(_ value: Value, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            if d.isFinite { out += Value.format(number: d) } else { out += "null" }
        case .string(let s): writeString(s, to: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .context(let c):
            out += "{"
            for (i, key) in c.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(key, to: &out)
                out += ":"
                write(c[key]!, to: &out)
            }
            out += "}"
        case .range(let r):
            var o: [String: Value] = ["lowInclusive": .bool(r.lowInclusive), "highInclusive": .bool(r.highInclusive)]
            o["low"] = r.low ?? .null
            o["high"] = r.high ?? .null
            write(.context(o), to: &out)
        case .temporal(let t):
            writeString(t.text, to: &out)  // JSON has no dates: the ISO 8601 text
        case .function:
            out += "null"  // functions are not data
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    /// Maximum nesting depth accepted when parsing.
    public static let maxDepth = 256

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        func fail(_ m: String) -> ParseError { ParseError(message: m, offset: i) }

        mutating func value(depth: Int) throws(ParseError) -> Value {
            guard depth < JSON.maxDepth else { throw fail("nesting deeper than \(JSON.maxDepth)") }
            guard i < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var obj: [String: Value] = [:]
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .context(obj) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let key = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                    obj[key] = try value(depth: depth + 1)
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of input in object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .context(obj) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var arr: [Value] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(arr) }
                while true {
                    skipSpace()
                    arr.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of input in array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(arr) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null"); return .null
            default:
                return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count else { throw fail("unexpected end of input") }
            for k in 0..<w.count where bytes[i + k] != w[k] { throw fail("unexpected character") }
            i += w.count
        }

        mutating func number() throws(ParseError) -> Double {
            let start = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; digits += 1 }
            guard digits > 0 else { i = start; throw fail("unexpected character") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                var frac = 0
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; frac += 1 }
                guard frac > 0 else { throw fail("expected digits after '.'") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                var exp = 0
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; exp += 1 }
                guard exp > 0 else { throw fail("expected exponent digits") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            guard let d = Double(text) else { throw fail("invalid number") }
            return d
        }

        mutating func string() throws(ParseError) -> String {
            i += 1  // opening quote
            let start = i
            var simple = true
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") { simple = false; i += 2; continue }
                if c < 0x20 { throw fail("control character in string") }
                i += 1
            }
            guard i < bytes.count else { throw fail("unterminated string") }
            if simple {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            var out = [UInt8]()
            var j = start
            while j < i {
                let c = bytes[j]
                if c != UInt8(ascii: "\\") { out.append(c); j += 1; continue }
                j += 1
                guard j < i else { throw fail("bad escape") }
                switch bytes[j] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4(j + 1)
                    j += 4
                    if code >= 0xD800, code < 0xDC00, j + 6 < i + 1, bytes[j + 1] == UInt8(ascii: "\\"), bytes[j + 2] == UInt8(ascii: "u") {
                        let low = try hex4(j + 3)
                        if low >= 0xDC00, low < 0xE000 {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            j += 6
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: throw fail("bad escape")
                }
                j += 1
            }
            i += 1
            return String(decoding: out, as: UTF8.self)
        }

        func hex4(_ at: Int) throws(ParseError) -> UInt32 {
            guard at + 4 <= bytes.count else { throw fail("bad \\u escape") }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = bytes[at + k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw fail("bad \\u escape")
                }
                v = v * 16 + d
            }
            return v
        }
    }
}
