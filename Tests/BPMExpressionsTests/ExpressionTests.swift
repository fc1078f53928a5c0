import BPMExpressions
import Testing

@Suite struct ExpressionTests {
    func eval(_ s: String, _ vars: [String: Value] = [:]) throws -> Value { try Expression(s).evaluate(vars) }

    @Test func literalsAndArithmetic() throws {
        #expect(try eval("1 + 2 * 3") == 7)
        #expect(try eval("(1 + 2) * 3") == 9)
        #expect(try eval("2 ** 3 ** 2") == 64)  // DMN 1.5 §10.3.1.2: ** groups to the left
        #expect(try eval("10 / 4") == 2.5)
        #expect(try eval("-7 % 3") == 2)  // FEEL modulo takes the divisor's sign
        #expect(try eval("1 / 0") == .null)
        #expect(try eval("\"a\" + \"b\"") == "ab")
        #expect(try eval("'single' + \"double\"") == "singledouble")
        #expect(try eval("1e3") == 1000)
    }

    @Test func pathsIntoEvents() throws {
        let event: [String: Value] = ["fields": ["flow_temp_c": 27.5], "tags": ["device_id": "hp1"]]
        #expect(try eval("fields.flow_temp_c > 25.0", event) == true)
        #expect(try eval("tags.device_id", event) == "hp1")
        #expect(try eval("tags.missing", event) == .null)
        #expect(try eval("nothing.at.all", event) == .null)
    }

    @Test func feelAndCStyleOperators() throws {
        let v: [String: Value] = ["a": 1, "b": 2, "s": "error"]
        #expect(try eval("a = 1 and b == 2", v) == true)
        #expect(try eval("a != 1 || b == 2", v) == true)
        #expect(try eval("a <> 1 or b <> 2", v) == false)
        #expect(try eval("!(a = 1) && true", v) == false)
        #expect(try eval("not(a = 2)", v) == true)
        #expect(try eval("s = \"error\"", v) == true)
    }

    @Test func threeValuedLogicAndNulls() throws {
        #expect(try eval("null and false") == false)
        #expect(try eval("null and true") == .null)
        #expect(try eval("null or true") == true)
        #expect(try eval("null or false") == .null)
        #expect(try eval("x > 1") == .null)
        #expect(try Expression("x > 1").test([:]) == false)
        #expect(try eval("x + 1") == .null)
        #expect(try eval("x = null") == true)
        #expect(try eval("1 < \"a\"") == .null)
    }

    @Test func ifThenElse() throws {
        #expect(try eval("if t > 25 then \"hot\" else \"ok\"", ["t": 27]) == "hot")
        #expect(try eval("if t > 25 then \"hot\" else \"ok\"", [:]) == "ok")
        #expect(try eval("if a then 1 else if b then 2 else 3", ["b": true]) == 2)
    }

    @Test func inListsRangesAndTests() throws {
        #expect(try eval("x in [1, 2, 3]", ["x": 2]) == true)
        #expect(try eval("x in [1..5]", ["x": 5]) == true)
        #expect(try eval("x in [1..5)", ["x": 5]) == false)
        #expect(try eval("x in (1..5]", ["x": 1]) == false)
        #expect(try eval("x in > 3", ["x": 4]) == true)
        #expect(try eval("x in (< 0, > 10)", ["x": 11]) == true)
        #expect(try eval("s in [\"a\", \"b\"]", ["s": "c"]) == false)
        #expect(try eval("x between 1 and 10", ["x": 10]) == true)
    }

    @Test func listsContextsFiltersAndLoops() throws {
        let v: [String: Value] = ["xs": [1, 2, 3, 4], "devices": [["id": "a", "status": "ok"], ["id": "b", "status": "error"]]]
        #expect(try eval("xs[item > 2]", v) == [3, 4])
        #expect(try eval("xs[1]", v) == 1)
        #expect(try eval("xs[-1]", v) == 4)
        #expect(try eval("devices[status != \"ok\"].id", v) == ["b"])
        #expect(try eval("count(devices[status = \"ok\"])", v) == 1)
        #expect(try eval("for x in xs return x * 2", v) == [2, 4, 6, 8])
        #expect(try eval("some x in xs satisfies x > 3", v) == true)
        #expect(try eval("every x in xs satisfies x > 3", v) == false)
        #expect(try eval("{a: 1, b: a + 1}.b") == 2)
        #expect(try eval("[1, [2, 3]]") == [1, [2, 3]])
    }

    @Test func builtins() throws {
        #expect(try eval("upper case(\"abc\")") == "ABC")
        #expect(try eval("string length(\"hello\")") == 5)
        #expect(try eval("substring(\"foobar\", 3)") == "obar")
        #expect(try eval("substring(\"foobar\", 3, 2)") == "ob")
        #expect(try eval("contains(\"foobar\", \"oba\")") == true)
        #expect(try eval("starts with(\"foobar\", \"foo\")") == true)
        #expect(try eval("sum([1, 2, 3])") == 6)
        #expect(try eval("mean([1, 2, 3])") == 2)
        #expect(try eval("max(1, 5, 3)") == 5)
        #expect(try eval("list contains([1, 2], 2)") == true)
        #expect(try eval("distinct values([1, 1, 2])") == [1, 2])
        #expect(try eval("split(\"a,b\", \",\")") == ["a", "b"])
        #expect(try eval("string(1.5)") == "1.5")
        #expect(try eval("number(\"42\")") == 42)
        #expect(try eval("round(2.567, 2)") == 2.57)
        #expect(try eval("floor(-1.5)") == -2)
        #expect(try eval("is defined(x)") == false)
        #expect(try eval("upper_case(\"x\")") == "X")
        #expect(try eval("matches(\"abc123\", \"[a-z]+[0-9]+\")") == true)
        #expect(try eval("replace(\"a-b-c\", \"-\", \"+\")") == "a+b+c")
        #expect(try eval("sort([3, 1, 2])") == [1, 2, 3])
    }

    @Test func instanceOf() throws {
        #expect(try eval("x instance of list and count(x) > 0", ["x": [1]]) == true)
        #expect(try eval("x instance of number", ["x": "1"]) == false)
    }

    @Test func syntaxErrorsCarryTheColumn() {
        #expect(throws: ExpressionError("unexpected end of expression", column: 4)) { try Expression("a >") }
        #expect(throws: ExpressionError("unexpected character '#'", column: 3)) { try Expression("a # b") }
        #expect(throws: ExpressionError("unknown function 'frobnicate'", column: 1)) { try Expression("frobnicate(1)") }
        #expect(throws: ExpressionError("unterminated string", column: 5)) { try Expression("a = \"x") }
        #expect(throws: ExpressionError("expected 'then' but found end of expression", column: 9)) { try Expression("if a > 1") }
        #expect(throws: ExpressionError("function 'substring' takes 2 to 3 argument(s), got 1", column: 1)) { try Expression("substring(\"a\")") }
        #expect(throws: ExpressionError("empty expression", column: 1)) { try Expression("  ") }
    }

    @Test func deepNestingIsRefusedNotCrashing() {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: ExpressionError.self) { try Expression(deep) }
    }
}

@Suite struct TemplateTests {
    @Test func interpolation() throws {
        let vars: [String: Value] = ["temperature": 27.5, "device_id": "hp1", "n": 25]
        #expect(try Template("Temperature normal: ${temperature}°C").render(vars) == "Temperature normal: 27.5°C")
        #expect(try Template("${device_id}").render(vars) == "hp1")
        #expect(try Template("${n}").render(vars) == 25)  // a lone placeholder keeps its type
        #expect(try Template("n=${n}").render(vars) == "n=25")
        #expect(try Template("${ {a: 1}.a }").render(vars) == 1)
        #expect(try Template("no placeholders").render(vars) == "no placeholders")
        #expect(try Template("${missing}!").render(vars) == "null!")
    }

    @Test func errorsPointIntoTheString() {
        #expect(throws: ExpressionError("unexpected end of expression", column: 13)) { try Template("value: ${a +}") }
        #expect(throws: ExpressionError("unterminated '${'", column: 3)) { try Template("x ${a") }
    }
}

@Suite struct JSONTests {
    @Test func roundTrip() throws {
        let text = #"{"a":[1,2.5,-3e2,true,false,null],"b":{"c":"x\"y\\z\n\u00e9"},"d":""}"#
        let v = try JSON.parse(text)
        #expect(v[member: "a"] == [1, 2.5, -300, true, false, nil])
        #expect(v[member: "b"][member: "c"] == "x\"y\\z\né")
        #expect(try JSON.parse(JSON.encode(v)) == v)
        #expect(JSON.encode(["b": 1, "a": 2]) == #"{"a":2,"b":1}"#)
    }

    @Test func errorsHaveOffsets() {
        #expect(throws: JSON.ParseError.self) { try JSON.parse("{\"a\": }") }
        do { _ = try JSON.parse("[1, 2") } catch { #expect(error.offset == 5) }
        #expect(throws: JSON.ParseError.self) { try JSON.parse("{} x") }
        #expect(throws: JSON.ParseError.self) { try JSON.parse(String(repeating: "[", count: 1000)) }
    }
}

@Suite struct TemporalTests {
    func eval(_ s: String, _ vars: [String: Value] = [:]) throws -> Value { try Expression(s).evaluate(vars) }

    @Test func datesTimesAndDurationsParseCompareAndPrint() throws {
        #expect(try eval(#"string(date("2026-11-26") + duration("P7D"))"#) == "2026-12-03")
        #expect(try eval(#"string(date and time("2026-11-26T10:00:00Z") - date and time("2026-11-26T08:30:00Z"))"#) == "PT1H30M")
        #expect(try eval(#"date and time("2026-11-26T10:00:00+01:00") = date and time("2026-11-26T09:00:00Z")"#) == true)
        #expect(try eval(#"@"2026-03-31" + @"P1M""#) == .temporal(.date(year: 2026, month: 4, day: 30)))
        #expect(try eval(#"date("2026-11-26").weekday"#) == 4)
        #expect(try eval(#"day of week(date("2026-11-26"))"#) == "Thursday")
        #expect(try eval(#"week of year(date("2026-01-01"))"#) == 1)
        #expect(try eval(#"duration("PT90M").hours"#) == 1)
        #expect(try eval(#"years and months duration(date("2020-02-29"), date("2026-02-28"))"#) == .temporal(.yearMonth(71)))
        #expect(try eval(#"time("23:30:00") + duration("PT1H")"#) == .temporal(.time(seconds: 1800, zone: nil)))
        #expect(try eval(#"date("2026-02-30")"#) == .null)
        #expect(try eval(#"date and time(ts) > date and time("2026-11-26T09:00:00Z")"#, ["ts": "2026-11-26T09:00:01Z"]) == true)
    }

    @Test func temporalValuesBecomeISOTextInJSON() throws {
        #expect(JSON.encode(.context(["d": try eval(#"date("2026-11-26")"#)])) == #"{"d":"2026-11-26"}"#)
        #expect(throws: ExpressionError.self) { _ = try Expression(#"@"tomorrow""#) }
    }
}

@Suite struct DecimalArithmeticTests {
    @Test func numbersAddMultiplyAndDivideAsTheDecimalsTheyAreWrittenAs() throws {
        #expect(try Expression("0.1 + 0.2").evaluate([:]) == 0.3)
        #expect(try Expression("1.1 * 3").evaluate([:]) == 3.3)
        #expect(try Expression("0.3 - 0.1").evaluate([:]) == 0.2)
        #expect(try Expression("sum([0.1, 0.1, 0.1])").evaluate([:]) == 0.3)
        #expect(try Expression("decimal(2.675, 2)").evaluate([:]) == 2.68, "ties round to even on the written decimal")
        #expect(try Expression("round half up(2.675, 2)").evaluate([:]) == 2.68)
        #expect(try Expression("7 / 2").evaluate([:]) == 3.5)
    }
}
