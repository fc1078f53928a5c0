import Foundation

/// FEEL's rounding functions, on the decimal value a number is written as (so 2.675 rounds
/// half up to 2.68, as a person expects, not 2.67 as its binary approximation would).
enum Rounding {
    enum Mode { case floor, ceiling, up, down, halfUp, halfDown, halfEven }

    static func apply(_ a: [Value], _ mode: Mode) -> Value {
        guard case .number(let d) = a[0] else { return .null }
        var scale = 0
        if a.count > 1 {
            guard case .number(let s) = a[1], s == s.rounded(), s >= -6111, s <= 6176 else { return .null }
            scale = Int(feel: s)
        }
        guard d.isFinite else { return .null }
        if scale > 300 { return .number(d) }
        guard var x = Decimal(string: Value.format(number: d)) else { return .null }
        var r = Decimal()
        let negative = d < 0
        let m: NSDecimalNumber.RoundingMode
        switch mode {
        case .floor: m = .down
        case .ceiling: m = .up
        case .up: m = negative ? .down : .up
        case .down: m = negative ? .up : .down
        case .halfUp: m = .plain
        case .halfEven: m = .bankers
        case .halfDown:
            // a tie goes toward zero; anything else to the nearest
            var t = Decimal()
            var shifted = x * pow(Decimal(10), max(0, scale))
            if scale < 0 { shifted = x / pow(Decimal(10), -scale) }
            var whole = Decimal()
            NSDecimalRound(&whole, &shifted, 0, negative ? .up : .down)
            let frac = shifted - whole
            if frac == Decimal(0.5) || frac == Decimal(-0.5) {
                NSDecimalRound(&t, &x, scale, negative ? .up : .down)
                return .number(NSDecimalNumber(decimal: t).doubleValue)
            }
            m = .plain
        }
        NSDecimalRound(&r, &x, scale, m)
        return .number(NSDecimalNumber(decimal: r).doubleValue)
    }
}
