import BPMExpressions
import Testing

/// Ranges as values (DMN 1.5 §10.3.2.7), the range functions (§10.3.4.9, Table 78) for points
/// and ranges, and `range(from)` (§10.3.4.10).
@Suite struct FEELRangesTests {
    func eval(_ s: String) throws -> Value { try Expression(s).evaluate([:]) }

    @Test func rangeValuesAndProperties() throws {
        #expect(try eval("[1..10].start") == 1)
        #expect(try eval("(1..10].start included") == false)
        #expect(try eval("[1..10).end included") == false)
        #expect(try eval("5 in (1..10]") == true)
        #expect(try eval("\"b\" in [\"a\"..\"c\"]") == true)
        #expect(try eval("@\"2020-01-05\" in [@\"2020-01-01\"..@\"2020-01-31\"]") == true)
        #expect(try eval("@\"PT2H\" in [@\"PT1H\"..@\"PT3H\"]") == true)
        #expect(try eval("[1..10] = [1..10]") == true)
        #expect(try eval("[1..10] = [1..10)") == false)
    }

    @Test func beforeAndAfter() throws {
        #expect(try eval("before(1, 10)") == true)
        #expect(try eval("before(1, [2..5])") == true)
        #expect(try eval("before(1, [1..5])") == false)
        #expect(try eval("before(1, (1..5])") == true)
        #expect(try eval("before([1..5], 10)") == true)
        #expect(try eval("before([1..5), 5)") == true)
        #expect(try eval("before([1..5], [6..8])") == true)
        #expect(try eval("before([1..5), [5..8])") == true)
        #expect(try eval("before([1..5], [5..8])") == false)
        #expect(try eval("after(10, 1)") == true)
        #expect(try eval("after(10, [1..5])") == true)
        #expect(try eval("after([6..8], [1..5])") == true)
        #expect(try eval("after((5..8], [1..5])") == true)
        #expect(try eval("after(5, (5..8])") == false)
        #expect(try eval("before(1, \"a\")") == .null)
        #expect(try eval("before(null, 1)") == .null)
    }

    @Test func meetsOverlapsFinishesIncludesStartsCoincides() throws {
        #expect(try eval("meets([1..5], [5..8])") == true)
        #expect(try eval("meets([1..5), [5..8])") == false)
        #expect(try eval("met by([5..8], [1..5])") == true)
        #expect(try eval("overlaps([1..5], [3..8])") == true)
        #expect(try eval("overlaps([1..5), [5..8])") == false)
        #expect(try eval("overlaps before([1..5], [3..8])") == true)
        #expect(try eval("overlaps after([3..8], [1..5])") == true)
        #expect(try eval("finishes(5, [1..5])") == true)
        #expect(try eval("finishes([3..5], [1..5])") == true)
        #expect(try eval("finished by([1..5], [3..5])") == true)
        #expect(try eval("includes([1..10], 5)") == true)
        #expect(try eval("includes([1..10], [4..6])") == true)
        #expect(try eval("during(5, [1..10])") == true)
        #expect(try eval("during([1..10], [4..6])") == false)
        #expect(try eval("starts(1, [1..5])") == true)
        #expect(try eval("starts([1..3], [1..5])") == true)
        #expect(try eval("started by([1..5], [1..3])") == true)
        #expect(try eval("coincides(5, 5)") == true)
        #expect(try eval("coincides([1..5], [1..5))") == false)
        #expect(try eval("includes(@\"PT5H\", @\"PT1H\")") == .null)
    }

    @Test func rangeFunction() throws {
        #expect(try eval("range(\"[1..10)\")") == (try eval("[1..10)")))
        // the string is a range literal (grammar rule 8), not a unary test; `<= 10` written as
        // an expression is the same range (rule 2.i)
        #expect(try eval("range(\"(..10]\") = (<= 10)") == true)
        #expect(try eval("range(\"<= 10\")") == .null)
        #expect(try eval("includes(> 5, 100)") == true)
        #expect(
            try eval("range(\"[@\\\"2020-01-01\\\"..@\\\"2020-12-31\\\"]\").start") == (try eval("@\"2020-01-01\"")))
        #expect(try eval("range(\"[10..1]\")") == .null)
        #expect(try eval("range(\"[1..\\\"a\\\"]\")") == .null)
        #expect(try eval("range(\"[x..10]\")") == .null)
        #expect(try eval("range(1)") == .null)
    }
}
