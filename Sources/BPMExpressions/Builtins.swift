import Foundation

/// A built-in function: allowed argument counts and its body. Bodies follow FEEL: wrong
/// argument types give `null`.
struct Builtin: Sendable {
    let arity: ClosedRange<Int>
    let body: @Sendable ([Value]) -> Value

    var aritySummary: String {
        arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" :
            (arity.upperBound > 100 ? "at least \(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)")
    }
}

/// The built-in function library (a subset of FEEL's, plus `trim` and `is defined`).
/// Multi-word FEEL names are also reachable with underscores (`upper_case`).
enum Builtins {
    static let table: [String: Builtin] = {
        var t: [String: Builtin] = [:]
        func def(_ names: [String], _ arity: ClosedRange<Int>, _ body: @escaping @Sendable ([Value]) -> Value) {
            for n in names {
                t[n] = Builtin(arity: arity, body: body)
                if n.contains(" ") { t[n.replacingOccurrences(of: " ", with: "_")] = Builtin(arity: arity, body: body) }
            }
        }
        let many = 1...Int.max / 2

        // boolean
        def(["not"], 1...1) { a in if case .bool(let b) = a[0] { .bool(!b) } else { .null } }
        def(["is defined"], 1...1) { a in .bool(!a[0].isNull) }

        // conversion
        def(["string"], 1...1) { a in a[0].isNull ? .null : .string(a[0].feelString) }
        def(["number"], 1...3) { a in
            switch a[0] {
            case .number: return a[0]
            case .string(var s):
                if a.count > 1, case .string(let g) = a[1] { s = s.replacingOccurrences(of: g, with: "") }
                if a.count > 2, case .string(let d) = a[2] { s = s.replacingOccurrences(of: d, with: ".") }
                return Double(s.trimmingCharacters(in: .whitespaces)).map(Value.number) ?? .null
            default: return .null
            }
        }

        // strings
        def(["string length"], 1...1) { a in a[0].stringValue.map { .number(Double($0.count)) } ?? .null }
        def(["upper case"], 1...1) { a in a[0].stringValue.map { .string($0.uppercased()) } ?? .null }
        def(["lower case"], 1...1) { a in a[0].stringValue.map { .string($0.lowercased()) } ?? .null }
        def(["trim"], 1...1) { a in a[0].stringValue.map { .string($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? .null }
        def(["contains"], 2...2) { a in
            guard let s = a[0].stringValue, let m = a[1].stringValue else { return .null }
            return .bool(m.isEmpty || s.contains(m))
        }
        def(["starts with"], 2...2) { a in
            guard let s = a[0].stringValue, let m = a[1].stringValue else { return .null }
            return .bool(s.hasPrefix(m))
        }
        def(["ends with"], 2...2) { a in
            guard let s = a[0].stringValue, let m = a[1].stringValue else { return .null }
            return .bool(s.hasSuffix(m))
        }
        def(["substring"], 2...3) { a in
            guard let s = a[0].stringValue, case .number(let startD) = a[1] else { return .null }
            let chars = Array(s)
            var start = Int(feel: startD)
            if start < 0 { start = chars.count + start + 1 }
            guard start >= 1, start <= chars.count + 1 else { return .null }
            var len = chars.count - start + 1
            if a.count == 3 { guard case .number(let l) = a[2], l >= 0 else { return .null }; len = min(len, Int(feel: l)) }
            return .string(String(chars[(start - 1)..<(start - 1 + max(0, len))]))
        }
        def(["substring before"], 2...2) { a in
            guard let s = a[0].stringValue, let m = a[1].stringValue else { return .null }
            guard !m.isEmpty, let r = s.range(of: m) else { return .string("") }
            return .string(String(s[..<r.lowerBound]))
        }
        def(["substring after"], 2...2) { a in
            guard let s = a[0].stringValue, let m = a[1].stringValue else { return .null }
            if m.isEmpty { return .string(s) }
            guard let r = s.range(of: m) else { return .string("") }
            return .string(String(s[r.upperBound...]))
        }
        def(["replace"], 3...4) { a in
            guard let s = a[0].stringValue, let pat = a[1].stringValue, let rep = a[2].stringValue,
                  let re = Patterns.regex(pat, a.count > 3 ? a[3] : .null) else { return .null }
            let ns = s as NSString
            let template = rep.replacingOccurrences(of: "\\$", with: "\u{0}").replacingOccurrences(of: "$", with: "$")
            return .string(re.stringByReplacingMatches(in: s, range: NSRange(location: 0, length: ns.length), withTemplate: template.replacingOccurrences(of: "\u{0}", with: "\\$")))
        }
        def(["matches"], 2...3) { a in
            guard let s = a[0].stringValue, let pat = a[1].stringValue, let re = Patterns.regex(pat, a.count > 2 ? a[2] : .null) else { return .null }
            return .bool(re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil)
        }
        def(["split"], 2...2) { a in
            guard let s = a[0].stringValue, let d = a[1].stringValue, !d.isEmpty, let re = Patterns.regex(d, .null), re.firstMatch(in: "", range: NSRange(location: 0, length: 0)) == nil else { return .null }
            let ns = s as NSString
            var out: [Value] = []
            var last = 0
            for m in re.matches(in: s, range: NSRange(location: 0, length: ns.length)) where m.range.length > 0 {
                out.append(.string(ns.substring(with: NSRange(location: last, length: m.range.location - last))))
                last = m.range.location + m.range.length
            }
            out.append(.string(ns.substring(from: last)))
            return .list(out)
        }
        def(["string join"], 1...2) { a in
            guard case .list(let l) = a[0] else { return .null }
            let sep = a.count > 1 ? (a[1].stringValue ?? "") : ""
            var parts: [String] = []
            for v in l {
                switch v {
                case .string(let s): parts.append(s)
                case .null: continue
                default: return .null
                }
            }
            return .string(parts.joined(separator: sep))
        }

        // lists
        @Sendable func listArg(_ a: [Value]) -> [Value]? {
            if a.count == 1, case .list(let l) = a[0] { return l }
            return a
        }
        /// A FEEL list position (1-based; negative from the end) as an array index, or nil outside the list.
        @Sendable func index(_ position: Double, count: Int) -> Int? {
            var i = Int(feel: position)
            if i < 0 { i = count + i + 1 }
            return i >= 1 && i <= count ? i - 1 : nil
        }
        @Sendable func numbers(_ a: [Value]) -> [Double]? {
            guard let l = listArg(a) else { return nil }
            var out: [Double] = []
            for v in l { guard case .number(let d) = v else { return nil }; out.append(d) }
            return out
        }
        def(["count"], 1...1) { a in a[0].listValue.map { .number(Double($0.count)) } ?? .null }
        def(["sum"], many) { a in
            guard let n = numbers(a) else { return .null }
            return n.isEmpty ? .null : .number(n.reduce(0, DecimalMath.add))
        }
        def(["product"], many) { a in
            guard let n = numbers(a), !n.isEmpty else { return .null }
            return .number(n.reduce(1, DecimalMath.multiply))
        }
        def(["mean"], many) { a in
            guard let n = numbers(a), !n.isEmpty else { return .null }
            return .number(DecimalMath.divide(n.reduce(0, DecimalMath.add), Double(n.count)))
        }
        def(["min"], many) { a in
            guard let l = listArg(a), var best = l.first else { return .null }
            for v in l.dropFirst() { guard let c = Comparison.compare(v, best) else { return .null }; if c < 0 { best = v } }
            return best
        }
        def(["max"], many) { a in
            guard let l = listArg(a), var best = l.first else { return .null }
            for v in l.dropFirst() { guard let c = Comparison.compare(v, best) else { return .null }; if c > 0 { best = v } }
            return best
        }
        def(["all"], many) { a in
            guard let l = listArg(a) else { return .null }
            var sawNull = false
            for v in l { if case .bool(false) = v { return .bool(false) }; if !v.isTrue { sawNull = true } }
            return sawNull ? .null : .bool(true)
        }
        def(["any"], many) { a in
            guard let l = listArg(a) else { return .null }
            var sawNull = false
            for v in l { if v.isTrue { return .bool(true) }; if case .bool(false) = v {} else { sawNull = true } }
            return sawNull ? .null : .bool(false)
        }
        def(["list contains"], 2...2) { a in a[0].listValue.map { .bool($0.contains(a[1])) } ?? .null }
        def(["append"], many) { a in a[0].listValue.map { .list($0 + a.dropFirst()) } ?? .null }
        def(["concatenate"], many) { a in
            var out: [Value] = []
            for v in a { guard case .list(let l) = v else { return .null }; out += l }
            return .list(out)
        }
        def(["reverse"], 1...1) { a in a[0].listValue.map { .list($0.reversed()) } ?? .null }
        def(["index of"], 2...2) { a in
            a[0].listValue.map { l in .list(l.indices.filter { l[$0] == a[1] }.map { .number(Double($0 + 1)) }) } ?? .null
        }
        def(["distinct values"], 1...1) { a in
            guard let l = a[0].listValue else { return .null }
            var out: [Value] = []
            for v in l where !out.contains(v) { out.append(v) }
            return .list(out)
        }
        def(["union"], many) { a in
            var out: [Value] = []
            for v in a { guard case .list(let l) = v else { return .null }; for x in l where !out.contains(x) { out.append(x) } }
            return .list(out)
        }
        def(["flatten"], 1...1) { a in
            func flat(_ v: Value) -> [Value] { if case .list(let l) = v { l.flatMap(flat) } else { [v] } }
            return a[0].listValue == nil ? .null : .list(flat(a[0]))
        }
        def(["sublist"], 2...3) { a in
            guard let l = a[0].listValue, case .number(let s) = a[1], let start = index(s, count: l.count) else { return .null }
            var len = l.count - start
            if a.count == 3 { guard case .number(let n) = a[2] else { return .null }; len = min(len, Int(feel: n)) }
            return .list(Array(l[start..<(start + max(0, len))]))
        }
        def(["remove"], 2...2) { a in
            guard var l = a[0].listValue, case .number(let p) = a[1], let i = index(p, count: l.count) else { return .null }
            l.remove(at: i)
            return .list(l)
        }
        def(["sort"], 1...2) { a in
            guard let l = a[0].listValue else { return .null }
            var ok = true
            if a.count == 2 {
                guard case .function(let precedes) = a[1] else { return .null }
                let sorted = l.sorted { x, y in
                    let r = precedes.call([x, y])
                    if case .bool(let b) = r { return b }
                    ok = false
                    return false
                }
                return ok ? .list(sorted) : .null
            }
            let sorted = l.sorted { x, y in
                guard let c = Comparison.compare(x, y) else { ok = false; return false }
                return c < 0
            }
            return ok ? .list(sorted) : .null
        }

        // numbers
        @Sendable func num1(_ f: @escaping @Sendable (Double) -> Double?) -> @Sendable ([Value]) -> Value {
            { a in if case .number(let d) = a[0], let r = f(d), r.isFinite { .number(r) } else { .null } }
        }
        def(["abs"], 1...1) { a in
            switch a[0] {
            case .number(let d): return .number(abs(d))
            case .temporal(.dayTime(let s)): return .temporal(.dayTime(abs(s)))
            case .temporal(.yearMonth(let m)): return .temporal(.yearMonth(abs(m)))
            default: return .null
            }
        }
        def(["floor"], 1...2) { a in Rounding.apply(a, .floor) }
        def(["ceiling"], 1...2) { a in Rounding.apply(a, .ceiling) }
        def(["decimal"], 2...2) { a in Rounding.apply(a, .halfEven) }
        def(["round half up"], 2...2) { a in Rounding.apply(a, .halfUp) }
        def(["round half down"], 2...2) { a in Rounding.apply(a, .halfDown) }
        def(["round up"], 2...2) { a in Rounding.apply(a, .up) }
        def(["round down"], 2...2) { a in Rounding.apply(a, .down) }
        def(["round"], 1...2) { a in Rounding.apply(a, .halfUp) }
        def(["median"], many) { a in
            guard let l = numbers(a), !l.isEmpty else { return .null }
            let s = l.sorted()
            return .number(s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
        def(["stddev"], many) { a in
            guard let l = numbers(a), l.count > 1 else { return .null }
            let mean = l.reduce(0, +) / Double(l.count)
            return .number((l.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(l.count - 1)).squareRoot())
        }
        def(["mode"], many) { a in
            guard let l = numbers(a) else { return .null }
            var counts: [Double: Int] = [:]
            for x in l { counts[x, default: 0] += 1 }
            let top = counts.values.max() ?? 0
            return .list(counts.filter { $0.value == top }.keys.sorted().map(Value.number))
        }
        def(["sqrt"], 1...1, num1 { $0 < 0 ? nil : $0.squareRoot() })
        def(["exp"], 1...1, num1 { Foundation.exp($0) })
        def(["log"], 1...1, num1 { $0 <= 0 ? nil : Foundation.log($0) })
        def(["modulo"], 2...2) { a in Evaluator.binary("%", a[0], a[1]) }
        def(["odd"], 1...1) { a in a[0].doubleValue.map { .bool(Int(feel: $0) % 2 != 0) } ?? .null }
        def(["even"], 1...1) { a in a[0].doubleValue.map { .bool(Int(feel: $0) % 2 == 0) } ?? .null }

        // contexts
        def(["get value"], 2...2) { a in
            if case .list(let path) = a[1] { return CamundaBuiltins.value(a[0], path: path) }
            guard case .context(let c) = a[0], let k = a[1].stringValue else { return .null }
            return c[k] ?? .null
        }
        def(["get entries"], 1...1) { a in
            guard case .context(let c) = a[0] else { return .null }
            return .list(c.keys.sorted().map { .context(["key": .string($0), "value": c[$0]!]) })
        }
        def(["list replace"], 3...3) { a in
            // a single value where a list is expected is a list of one
            let list: [Value]? = a[0].listValue ?? (a[0].isNull ? nil : [a[0]])
            if var l = list, case .function(let match) = a[1] {
                guard match.parameters.count == 2 else { return .null }
                for (i, item) in l.enumerated() {
                    switch match.call([item, a[2]]) {
                    case .bool(true): l[i] = a[2]
                    case .bool(false): break
                    default: return .null
                    }
                }
                return .list(l)
            }
            guard var l = list, case .number(let p) = a[1], let i = index(p.rounded(.towardZero), count: l.count) else {
                return .null
            }
            l[i] = a[2]
            return .list(l)
        }
        def(["insert before"], 3...3) { a in
            guard var l = a[0].listValue, case .number(let p) = a[1], p == p.rounded(), let i = index(p, count: l.count) else { return .null }
            l.insert(a[2], at: i)
            return .list(l)
        }
        def(["context"], 1...1) { a in
            guard let entries = a[0].listValue ?? (a[0].contextValue != nil ? [a[0]] : nil) else { return .null }
            var c: [String: Value] = [:]
            for e in entries {
                guard case .context(let entry) = e, let k = entry["key"]?.stringValue, entry.keys.contains("value"), c[k] == nil else { return .null }
                c[k] = entry["value"]
            }
            return .context(c)
        }
        def(["context merge"], 1...1) { a in
            // a single context is a list of one (§10.3.2.9.4, to singleton list)
            guard let contexts = a[0].listValue ?? (a[0].contextValue != nil ? [a[0]] : nil) else { return .null }
            var c: [String: Value] = [:]
            for x in contexts {
                guard case .context(let m) = x else { return .null }
                c.merge(m) { _, new in new }
            }
            return .context(c)
        }
        @Sendable func putKey(_ a: [Value]) -> Value {
            guard case .context(var c) = a[0], let k = a[1].stringValue else { return .null }
            c[k] = a[2]
            return .context(c)
        }
        def(["context put"], 3...3) { a in
            if case .list(let path) = a[1] {
                return path.isEmpty ? .null : CamundaBuiltins.put(a[0], path: path[...], a[2])
            }
            return putKey(a)
        }
        def([contextPutKey], 3...3, putKey)
        // temporal (dates, times, durations)
        @Sendable func int(_ v: Value) -> Int? {
            guard case .number(let d) = v, d == d.rounded(), abs(d) < 1e12 else { return nil }
            return Int(feel: d)
        }
        @Sendable func temporal(_ v: Value) -> Temporal? { if case .temporal(let t) = v { t } else { nil } }
        def(["date"], 1...3) { a in
            if a.count == 3 {
                guard let y = int(a[0]), let m = int(a[1]), let d = int(a[2]), Temporal.valid(y, m, d) else { return .null }
                return .temporal(.date(year: y, month: m, day: d))
            }
            switch a[0] {
            case .string(let s):
                guard case .date? = Temporal.parseDate(s) else { return .null }
                return .temporal(Temporal.parseDate(s)!)
            case .temporal(.date): return a[0]
            case .temporal(.dateTime(let y, let m, let d, _, _)): return .temporal(.date(year: y, month: m, day: d))
            default: return .null
            }
        }
        def(["time"], 1...4) { a in
            if a.count >= 3 {
                guard let h = int(a[0]), let m = int(a[1]), case .number(let s) = a[2], h >= 0, h < 24, m >= 0, m < 60, s >= 0, s < 60 else { return .null }
                var zone: Temporal.Zone?
                if a.count == 4 {
                    switch a[3] {
                    case .null: zone = nil
                    case .temporal(.dayTime(let o)): zone = .offset(Int(feel: o))
                    default: return .null
                    }
                }
                return .temporal(.time(seconds: Double(h * 3600 + m * 60) + s, zone: zone))
            }
            switch a[0] {
            case .string(let s):
                guard let t = Temporal.parseTime(s) else { return .null }
                return .temporal(t)
            case .temporal(.time): return a[0]
            case .temporal(.dateTime(_, _, _, let s, let z)): return .temporal(.time(seconds: s, zone: z))
            case .temporal(.date): return .temporal(.time(seconds: 0, zone: .offset(0)))
            default: return .null
            }
        }
        def(["date and time"], 1...2) { a in
            if a.count == 2, case .string(let zone) = a[1] { return Temporal.inZone(a[0], zone) }
            if a.count == 2 {
                guard case .temporal(let d) = a[0], case .temporal(.time(let s, let z)) = a[1] else { return .null }
                switch d {
                case .date(let y, let m, let dd), .dateTime(let y, let m, let dd, _, _): return .temporal(.dateTime(year: y, month: m, day: dd, seconds: s, zone: z))
                default: return .null
                }
            }
            switch a[0] {
            case .string(let s):
                switch Temporal.parse(s) {
                case .dateTime(let y, let m, let d, let sec, let z)?: return .temporal(.dateTime(year: y, month: m, day: d, seconds: sec, zone: z))
                case .date(let y, let m, let d)?: return .temporal(.dateTime(year: y, month: m, day: d, seconds: 0, zone: nil))
                default: return .null
                }
            case .temporal(.dateTime): return a[0]
            case .temporal(.date(let y, let m, let d)): return .temporal(.dateTime(year: y, month: m, day: d, seconds: 0, zone: nil))
            default: return .null
            }
        }
        def(["duration"], 1...1) { a in
            guard case .string(let s) = a[0], let d = Temporal.parseDuration(s) else { return .null }
            return .temporal(d)
        }
        def(["years and months duration"], 2...2) { a in
            guard let x = temporal(a[0]), let y = temporal(a[1]) else { return .null }
            func ymd(_ t: Temporal) -> (Int, Int, Int, Double)? {
                switch t {
                case .date(let yy, let m, let d): return (yy, m, d, 0)
                case .dateTime(let yy, let m, let d, let s, _): return (yy, m, d, s)
                default: return nil
                }
            }
            guard let (y1, m1, d1, s1) = ymd(x), let (y2, m2, d2, s2) = ymd(y) else { return .null }
            var months = (y2 - y1) * 12 + (m2 - m1)
            // whole months between the two dates; the time of day does not count
            _ = (s1, s2)
            let later = d2 > d1, earlier = d2 < d1
            if months > 0, earlier { months -= 1 }
            if months < 0, later { months += 1 }
            return .temporal(.yearMonth(months))
        }
        @Sendable func dayNumber(_ v: Value) -> (Int, Int, Int)? {
            switch v {
            case .temporal(.date(let y, let m, let d)), .temporal(.dateTime(let y, let m, let d, _, _)): return (y, m, d)
            default: return nil
            }
        }
        def(["day of year"], 1...1) { a in
            guard let (y, m, d) = dayNumber(a[0]) else { return .null }
            return .number(Double(Temporal.days(y, m, d) - Temporal.days(y, 1, 1) + 1))
        }
        def(["day of week"], 1...1) { a in
            guard let (y, m, d) = dayNumber(a[0]) else { return .null }
            let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            return .string(names[((Temporal.days(y, m, d) % 7) + 7 + 3) % 7])
        }
        def(["month of year"], 1...1) { a in
            guard let (_, m, _) = dayNumber(a[0]) else { return .null }
            return .string(["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][m - 1])
        }
        def(["week of year"], 1...1) { a in
            guard let (y, m, d) = dayNumber(a[0]) else { return .null }
            // ISO 8601: the week with the year's first Thursday is week 1
            let day = Temporal.days(y, m, d)
            let weekday = ((day % 7) + 7 + 3) % 7  // Monday = 0
            let thursday = day - weekday + 3
            let (ty, _, _) = Temporal.civil(thursday)
            return .number(Double((thursday - Temporal.days(ty, 1, 1)) / 7 + 1))
        }
        def(["now"], 0...0) { _ in
            let now = EvaluationClock.current.timeIntervalSince1970
            return .temporal(Temporal.fromLocal(now, zone: .offset(0)))
        }
        def(["today"], 0...0) { _ in
            let day = Int((EvaluationClock.current.timeIntervalSince1970 / 86400).rounded(.down))
            let (y, m, d) = Temporal.civil(day)
            return .temporal(.date(year: y, month: m, day: d))
        }
        def(["is"], 2...2) { a in
            switch (a[0], a[1]) {
            case (.temporal(let x), .temporal(let y)): return .bool(x.typeName == y.typeName && x == y)
            default: return .bool(a[0] == a[1] && a[0].typeName == a[1].typeName)
            }
        }
        Intervals.register(def)
        CamundaBuiltins.register(def)
        // §10.3.2.9.4 "to singleton list": a value bound to a parameter of type list<T> is a
        // list of that one value (`count(1)` is 1); null stays null
        for n in listFirst {
            guard let b = t[n] else { continue }
            t[n] = Builtin(arity: b.arity) { a in
                // (the functions that also take their items as arguments, `min(1, 2)`, only when given one)
                guard let first = a.first, !first.isNull, first.listValue == nil,
                    a.count == 1 || !variadic.contains(n)
                else { return b.body(a) }
                return b.body([.list([first])] + a.dropFirst())
            }
        }
        return t
    }()

    /// `context put` called with a parameter named `key` (a name no expression can spell).
    static let contextPutKey = "context put (key)"

    /// The built-ins whose first parameter is a list.
    static let listFirst = [
        "count", "min", "max", "sum", "mean", "median", "stddev", "mode", "all", "any", "product", "reverse",
        "distinct values", "flatten", "sublist", "append", "list contains", "index of", "insert before", "remove",
        "list replace", "sort", "string join", "context merge", "context",
    ].flatMap { [$0, $0.replacingOccurrences(of: " ", with: "_")] }
    static let variadic: Set<String> = [
        "min", "max", "sum", "mean", "median", "stddev", "mode", "all", "any", "product",
    ]
}

extension Builtins {
    /// Built-ins whose parameters are single values (strings, numbers, dates): a singleton list
    /// passed to them is its element (§10.3.2.9.4, from singleton list).
    static let scalarParameters: Set<String> = [
        "string length", "upper case", "lower case", "substring", "substring before", "substring after",
        "contains", "starts with", "ends with", "matches", "replace", "split", "trim", "abs", "floor", "ceiling",
        "decimal", "round up", "round down", "round half up", "round half down", "sqrt", "exp", "log", "odd",
        "even", "modulo", "date", "time", "date and time", "duration", "years and months duration", "day of year",
        "day of week", "month of year", "week of year",
    ]

    /// Parameter names of the built-ins, for calls with named arguments (alternatives by arity).
    static let parameters: [String: [[String]]] = {
        var p: [String: [[String]]] = [:]
        func set(_ names: [String], _ lists: [[String]]) { for n in names { p[n] = lists; p[n.replacingOccurrences(of: " ", with: "_")] = lists } }
        set(["substring"], [["string", "start position", "length"]])
        set(["string length", "upper case", "lower case", "trim"], [["string"]])
        set(["substring before", "substring after", "contains", "starts with", "ends with"], [["string", "match"]])
        set(["replace"], [["input", "pattern", "replacement", "flags"]])
        set(["matches"], [["input", "pattern", "flags"]])
        set(["split"], [["string", "delimiter"]])
        set(["string join"], [["list", "delimiter"]])
        set(["list contains"], [["list", "element"]])
        set(["count", "min", "max", "sum", "mean", "median", "stddev", "mode", "all", "any", "product", "reverse", "distinct values", "flatten"], [["list"]])
        set(["sublist"], [["list", "start position", "length"]])
        set(["insert before"], [["list", "position", "newItem"]])
        set(["remove"], [["list", "position"]])
        set(["index of"], [["list", "match"]])
        set(["list replace"], [["list", "position", "newItem"], ["list", "match", "newItem"]])
        set(["sort"], [["list", "precedes"]])
        set(["decimal", "floor", "ceiling", "round", "round up", "round down", "round half up", "round half down"], [["n", "scale"]])
        set(["abs"], [["n"]])
        set(["modulo"], [["dividend", "divisor"]])
        set(["sqrt", "log", "exp", "odd", "even"], [["number"]])
        set(["date"], [["from"], ["year", "month", "day"]])
        set(["time"], [["from"], ["hour", "minute", "second", "offset"]])
        set(["date and time"], [["from"], ["date", "time"]])
        set(["duration"], [["from"]])
        set(["years and months duration"], [["from", "to"]])
        set(["number"], [["from", "grouping separator", "decimal separator"]])
        set(["string"], [["from"]])
        set(["get value"], [["m", "key"]])
        set(["get entries"], [["m"]])
        set(["context put"], [["context", "key", "value"], ["context", "keys", "value"]])
        set(["range"], [["from"]])
        // §10.3.4.9: the range functions' signatures by the kinds of their arguments
        let pointOrRange = [["point1", "point2"], ["point", "range"], ["range", "point"], ["range1", "range2"]]
        set(["before", "after"], pointOrRange)
        set(["coincides"], [["point1", "point2"], ["range1", "range2"]])
        set(["meets", "met by", "overlaps", "overlaps before", "overlaps after"], [["range1", "range2"]])
        set(["finishes", "during", "starts"], [["point", "range"], ["range1", "range2"]])
        set(["finished by", "includes", "started by"], [["range", "point"], ["range1", "range2"]])
        set(["context merge"], [["contexts"]])
        set(["context"], [["entries"]])
        set(["is"], [["value1", "value2"]])
        set(["not"], [["negand"]])
        set(["day of year", "day of week", "month of year", "week of year"], [["date"]])
        return p
    }()
}
