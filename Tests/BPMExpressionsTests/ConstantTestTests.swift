import BPMExpressions
import Testing

/// The compiled path of constant unary tests gives the general path's answers. The general path is
/// reached with a variable that holds the same constant (`c`), so both read one table of inputs.
@Suite struct ConstantTestTests {
    static let inputs: [Value] = [.bool(true), .bool(false), .null, .number(1), .string("a")]

    @Test(arguments: ["true", "false", "true, false", "not(true)", "not(false)", "\"a\", 1", "[0..4]", "> 0"])
    func compiledTestsAgreeWithTheGeneralPath(source: String) throws {
        let compiled = try UnaryTests(source)
        for x in Self.inputs {
            // a test on `c` (never equal to an input) makes the list non-constant without changing its answer
            let widened = source.hasPrefix("not(") ? String(source.dropLast()) + ", c)" : source + ", c"
            let general = try UnaryTests(widened).matches(x, ["c": .string("never")])
            #expect(compiled.matches(x, [:]) == general, "\(source) on \(x)")
        }
    }

    @Test func aBooleanLiteralIsEqualityForBooleansAndItsOwnValueOtherwise() throws {
        #expect(try UnaryTests("true").matches(.bool(false), [:]) == false)
        #expect(try UnaryTests("false").matches(.bool(false), [:]) == true)
        #expect(try UnaryTests("true").matches(.number(3), [:]) == true)
        #expect(try UnaryTests("false").matches(.null, [:]) == false)
        #expect(try UnaryTests("-").matches(.null, [:]) == true)
    }
}
