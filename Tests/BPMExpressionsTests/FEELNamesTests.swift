import BPMExpressions
import Testing

/// Names (DMN 1.5 §10.3.1.2 rules 27–30, §10.3.1.4 "name resolution"): names with spaces and
/// keywords, in every position, resolved by the longest name in scope.
@Suite struct FEELNamesTests {
    func eval(_ s: String, _ vars: [String: Value] = [:], names: Set<String> = []) throws -> Value {
        try Expression(s, names: names, dynamicCalls: true).evaluate(vars)
    }

    // §10.3.1.4: a name may contain words that are keywords (`and`, `of`) when it is in scope
    @Test func namesWithKeywordsAndSpaces() throws {
        let vars: [String: Value] = ["Date and Time of birth": "x", "Extra days case 1": 5, "before or after": 2]
        let names: Set<String> = ["Date and Time of birth", "Extra days case 1", "before or after"]
        #expect(try eval("Date and Time of birth", vars, names: names) == "x")
        #expect(try eval("Extra days case 1 + 1", vars, names: names) == 6)
        #expect(try eval("before or after * 2", vars, names: names) == 4)
    }

    // rule 30: additional name symbols `.`, `/`, `-`, `'`, `+`, `*` inside a name in scope
    @Test func namesWithOperatorCharacters() throws {
        let vars: [String: Value] = ["Pre-bureau risk": 3, "a+b": 1, "x/y": 2, "it's": 4]
        let names: Set<String> = ["Pre-bureau risk", "a+b", "x/y", "it's"]
        #expect(try eval("Pre-bureau risk * 2", vars, names: names) == 6)
        #expect(try eval("a+b + x/y + it's", vars, names: names) == 7)
    }

    // built-in functions whose names contain spaces parse as arguments of other calls
    @Test func multiWordBuiltinsAnywhere() throws {
        #expect(try eval("round down(string length(\"abcd\") * 2.5, 0)") == 10)
        let r = try eval("round down(random number() * 100000, 0)")
        #expect((r.doubleValue ?? -1) >= 0 && (r.doubleValue ?? 1e9) < 100000)
        #expect(try eval("is empty([]) and not(is empty([1]))") == true)
        #expect(try eval("upper case(substring after(\"a-b\", \"-\"))") == "B")
    }

    // §10.3.2.6 / rule 43: path members with spaces, on contexts written in the expression
    @Test func contextKeysAndPathsWithSpaces() throws {
        #expect(try eval("{first name: \"Ann\", full name: first name + \" B\"}.full name") == "Ann B")
        let vars: [String: Value] = ["applicant": ["monthly income": 10]]
        #expect(try eval("applicant.monthly income * 12", vars, names: ["monthly income"]) == 120)
    }

    // rules 46–47: `for` and quantifier variables may be names with spaces
    @Test func iterationVariablesWithSpaces() throws {
        #expect(try eval("for unit price in [1, 2] return unit price * 10") == [10, 20])
        #expect(try eval("some unit price in [1, 5] satisfies unit price > 4") == true)
        #expect(try eval("every unit price in [1, 5] satisfies unit price > 4") == false)
    }

    // rule 57: function parameters with spaces, called with named arguments (§10.3.2.13.1)
    @Test func parametersAndNamedArguments() throws {
        #expect(try eval("{f: function(unit price, count) unit price * count, r: f(count: 2, unit price: 3)}.r") == 6)
        #expect(try eval("substring(start position: 2, string: \"abc\")") == "bc")
        #expect(try eval("{f: function(a) a, r: f(b: 1)}.r") == .null)
    }

    // filters see the entries of each context item by name
    @Test func filterOnEntryNamesWithSpaces() throws {
        let vars: [String: Value] = ["rows": [["unit price": 1], ["unit price": 9]]]
        #expect(try eval("rows[unit price > 5].unit price", vars, names: ["unit price"]) == [9])
    }
}
