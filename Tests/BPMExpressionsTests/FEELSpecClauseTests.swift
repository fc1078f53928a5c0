import BPMExpressions
import Testing

/// FEEL clauses of DMN 1.5 chapter 10 that the public TCK exercises beyond the local copy:
/// unary tests as expressions, the `[a..b[` range end, named arguments of the range
/// functions, implicit conversion of built-in arguments, type conformance of functions, and
/// equality of temporal values with different kinds of zone.
@Suite struct FEELSpecClauseTests {
    func eval(_ s: String) throws -> Value { try Expression(s).evaluate([:]) }

    // grammar rule 2.i: a simple positive unary test is an expression whose value is a range
    @Test func unaryTestsAreRangeExpressions() throws {
        #expect(try eval("(< 10).end") == 10)
        #expect(try eval("(< 10).start") == .null)
        #expect(try eval("(<= 10).end included") == true)
        #expect(try eval("(> 10).start included") == false)
        #expect(try eval("(>= 10).start included") == true)
        #expect(try eval("(= 10) = [10..10]") == true)
        #expect(try eval("(!= 10).start included") == false)
        #expect(try eval("5 in (< 10)") == true)
        // a comparison still reads as one
        #expect(try eval("1 < 2") == true)
    }

    // rule 11: `[` closes a range as `)` does, also before a path or a comparison
    @Test func anOpenEndWrittenAsBracket() throws {
        #expect(try eval("[1..10[.end included") == false)
        #expect(try eval("[1..10[ = [1..10)") == true)
        #expect(try eval("10 in [1..10[") == false)
        #expect(try eval("[[1, 2]][1][2]") == 2)  // a filter is still a filter
    }

    // §10.3.4.9 (range(from)): the string is a range literal; a unary comparison is not one
    @Test func rangeFromStringIsALiteralOnly() throws {
        #expect(try eval("range(\">= 10\")") == .null)
        #expect(try eval("range(\"[2..)\") = >= 2") == true)
        #expect(try eval("range(\"(..2]\") = <= 2") == true)
        #expect(try eval("range(\"[1..]\")") == .null)
        #expect(try eval("range(from: \"[1..3]\") = [1..3]") == true)
    }

    // §10.3.4.9 Table 78: every range function takes its parameters by name
    @Test func rangeFunctionsTakeNamedArguments() throws {
        #expect(try eval("before(point1: 1, point2: 10)") == true)
        #expect(try eval("before(range: [1..5], point: 10)") == true)
        #expect(try eval("after(range1: [6..8], range2: [1..5])") == true)
        #expect(try eval("includes(range: [1..10], point: 5)") == true)
        #expect(try eval("during(point: 5, range: [1..10])") == true)
        #expect(try eval("coincides(range1: [1..5], range2: [1..5])") == true)
        #expect(try eval("meets(range1: [1..5], range2: [5..8])") == true)
        #expect(try eval("finished by(range: [1..10], point: 10)") == true)
        #expect(try eval("overlaps(range1: [1..5], range2: [3..8])") == true)
    }

    // §10.3.4.8: context put(context, key, value) puts one key; a path is named `keys`
    @Test func contextPutKeyAndKeys() throws {
        #expect(try eval("context put(context: {}, key: \"a\", value: 1)") == .context(["a": 1]))
        #expect(try eval("context put(context: {y: {a: 0}}, keys: [\"y\", \"a\"], value: 2).y.a") == 2)
        #expect(try eval("context put(context: {y: {a: 0}}, key: [\"y\", \"a\"], value: 2)") == .null)
        #expect(try eval("context put({y: {a: 0}}, [\"y\", \"a\"], 2).y.a") == 2)
    }

    // §10.3.2.9.4 "to singleton list": a value bound to a list parameter is a list of it
    @Test func aSingleValueWhereAListIsExpected() throws {
        #expect(try eval("count(1)") == 1)
        #expect(try eval("string join(\"a\", \"X\")") == "a")
        #expect(try eval("append(1, 2)") == .list([1, 2]))
        #expect(try eval("min(3, 1, 2)") == 1)
        #expect(try eval("count(null)") == .null)
    }

    // §10.3.2.13: a built-in function's name is a function value where no variable shadows it
    @Test func builtInFunctionsAsValues() throws {
        func calls(_ s: String) throws -> Value { try Expression(s, dynamicCalls: true).evaluate([:]) }
        #expect(try calls("(function(f) f(-5))(abs)") == 5)
        #expect(try calls("(function(f) f([1, 2, 3]) * f(1, 2))(sum)") == 18)
        #expect(try calls("(function(f) f(10, 2))(sqrt)") == .null)
        #expect(try eval("sort([3, 1, 2], function(a, b) a > b)") == .list([3, 2, 1]))
        #expect(try Expression("abs").evaluate(["abs": 1]) == 1)
    }

    // §10.3.2.9.1: functions conform contravariantly in their parameters, covariantly in results
    @Test func functionTypeConformance() throws {
        #expect(try eval("(function(a: number) a) instance of function<number> -> Any") == true)
        #expect(try eval("(function(a: number) a) instance of function<string> -> Any") == false)
        let narrow = "function(a: context<a: string>) 1", wide = "function(a: context<a: string, b: string>) 1"
        #expect(try eval("(\(narrow)) instance of function<context<a: string, b: string>> -> Any") == true)
        #expect(try eval("(\(wide)) instance of function<context<a: string>> -> Any") == false)
        #expect(try eval("(function() \"foo\") instance of function<> -> string") == true)
        #expect(try eval("(function() {b: \"b\"}) instance of function<> -> context<b: string, c: string>") == false)
        #expect(try eval("(function(a, b) a) instance of function<number> -> Any") == false)
        #expect(try eval("123 instance of function<> -> Any") == false)
    }

    // §10.3.2.3.4–5: a local time, one with an offset and one with a zone id are not equal
    @Test func temporalValuesWithDifferentKindsOfZone() throws {
        #expect(try eval("@\"2018-12-08T00:00:00+00:00\" = @\"2018-12-08T00:00:00@Etc/UTC\"") == false)
        #expect(try eval("@\"2018-12-08T00:00:00Z\" = @\"2018-12-08T00:00:00+00:00\"") == true)
        #expect(try eval("time(\"10:30:00Z\") = time(\"10:30:00+00:00\")") == true)
        #expect(try eval("time(\"10:30:00@Europe/Paris\") = time(\"10:30:00\")") == false)
        #expect(try eval("@\"2018-12-08T10:00:00@Europe/Paris\" < @\"2018-12-08T10:00:00Z\"") == true)
    }
}
