import Foundation

/// The built-in functions Camunda 8's FEEL engine adds to DMN 1.5's (documented as extensions
/// in docs/rules.md): `is empty`, `is blank`, `random number`, `uuid`, `to json`, `from json`,
/// `get or else`, `assert`, `partition`, `duplicate values`, `last day of month`, `extract`,
/// `to base64`, `get value` and `context put` with a list of keys (a path), `date and time` of a
/// date and time and a zone, and `abs` of a duration.
enum CamundaBuiltins {
    static func register(
        _ def: (_ names: [String], _ arity: ClosedRange<Int>, _ body: @escaping @Sendable ([Value]) -> Value) -> Void
    ) {
        def(["is empty"], 1...1) { a in a[0].listValue.map { .bool($0.isEmpty) } ?? .null }
        def(["is blank"], 1...1) { a in
            a[0].stringValue.map { .bool($0.allSatisfy { $0.isWhitespace }) } ?? .null
        }
        def(["random number"], 0...0) { _ in .number(Double.random(in: 0..<1)) }
        def(["uuid"], 0...0) { _ in .string(UUID().uuidString.lowercased()) }
        def(["to json"], 1...1) { a in .string(JSON.encode(a[0])) }
        def(["from json"], 1...1) { a in
            guard case .string(let s) = a[0], let v = try? JSON.parse(s) else { return .null }
            return v
        }
        def(["get or else"], 2...2) { a in a[0].isNull ? a[1] : a[0] }
        // Camunda fails the evaluation when the condition is not true; here the result is null
        def(["assert"], 2...3) { a in a[1].isTrue ? a[0] : .null }
        def(["partition"], 2...2) { a in
            guard let l = a[0].listValue, case .number(let n) = a[1], n >= 1, n == n.rounded() else { return .null }
            let size = Int(feel: n)
            return .list(stride(from: 0, to: l.count, by: size).map { .list(Array(l[$0..<min($0 + size, l.count)])) })
        }
        def(["duplicate values"], 1...1) { a in
            guard let l = a[0].listValue else { return .null }
            var seen: [Value] = [], dups: [Value] = []
            for v in l {
                if seen.contains(v) { if !dups.contains(v) { dups.append(v) } } else { seen.append(v) }
            }
            return .list(dups)
        }
        def(["last day of month"], 1...1) { a in
            switch a[0] {
            case .temporal(.date(let y, let m, _)), .temporal(.dateTime(let y, let m, _, _, _)):
                return .temporal(.date(year: y, month: m, day: Temporal.daysIn(y, m)))
            default: return .null
            }
        }
        def(["extract"], 2...2) { a in
            guard let s = a[0].stringValue, let p = a[1].stringValue, let re = Patterns.regex(p, .null) else {
                return .null
            }
            let ns = s as NSString
            return .list(
                re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map {
                    .string(ns.substring(with: $0.range))
                })
        }
        def(["to base64"], 1...1) { a in a[0].stringValue.map { .string(Data($0.utf8).base64EncodedString()) } ?? .null
        }
    }

    /// `get value(context, keys)` with a list of keys: the value at that path.
    static func value(_ c: Value, path: [Value]) -> Value {
        var current = c
        for k in path {
            guard case .string(let key) = k, case .context(let m) = current else { return .null }
            current = m[key] ?? .null
        }
        return current
    }

    /// `context put(context, keys, value)` with a list of keys (DMN 1.5 §10.3.4.8 too): the
    /// context with the value put at that path; missing contexts on the way are created.
    static func put(_ c: Value, path: ArraySlice<Value>, _ v: Value) -> Value {
        guard let first = path.first else { return v }
        guard case .string(let key) = first, case .context(var m) = c else { return .null }
        if path.count == 1 {
            m[key] = v
            return .context(m)
        }
        let inner = m[key] ?? .context([:])
        guard case .context = inner else { return .null }
        let updated = put(inner, path: path.dropFirst(), v)
        if updated.isNull { return .null }
        m[key] = updated
        return .context(m)
    }
}
