import BPMExpressions
import Testing

/// Numbers, equality and `is()` (DMN 1.5 §10.3.2.2, §10.3.2.5 Table 57, §10.3.4.1).
@Suite struct FEELEqualityTests {
    func eval(_ s: String) throws -> Value { try Expression(s).evaluate([:]) }

    @Test func decimalArithmetic() throws {
        #expect(try eval("0.1 + 0.2 = 0.3") == true)
        #expect(try eval("1.1 * 3") == 3.3)
        #expect(try eval("decimal(1/3, 4)") == 0.3333)
        #expect(try eval("round half up(2.675, 2)") == 2.68)
        #expect(try eval("round half down(2.5, 0)") == 2)
        #expect(try eval("round up(-1.1, 0)") == -2)
        #expect(try eval("round down(-1.9, 0)") == -1)
        #expect(try eval("floor(-1.5)") == -2)
        #expect(try eval("ceiling(1.01, 1)") == 1.1)
    }

    @Test func equality() throws {
        #expect(try eval("null = null") == true)
        #expect(try eval("1 = null") == false)
        #expect(try eval("1 = \"1\"") == .null)
        #expect(try eval("1 != \"1\"") == .null)
        #expect(try eval("[1, [2, 3]] = [1, [2, 3]]") == true)
        #expect(try eval("[1, 2] = [1, 2, 3]") == false)
        #expect(try eval("{a: 1, b: [2]} = {b: [2], a: 1}") == true)
        #expect(try eval("{a: 1} = {a: 1, b: 2}") == false)
        #expect(try eval("@\"10:00:00+01:00\" = @\"09:00:00Z\"") == true)
        #expect(try eval("null < 1") == .null)
    }

    // §10.3.4.1 is(): the same value and type, and for temporal values the same offset or zone
    @Test func isFunction() throws {
        #expect(try eval("is(1, 1)") == true)
        #expect(try eval("is(1, \"1\")") == false)
        #expect(try eval("is(@\"10:00:00+01:00\", @\"09:00:00Z\")") == false)
        #expect(try eval("is(@\"2021-01-01\", @\"2021-01-01\")") == true)
    }
}
