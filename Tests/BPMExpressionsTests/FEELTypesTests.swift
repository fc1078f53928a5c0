import BPMExpressions
import Testing

/// Types (DMN 1.5 §10.3.2.9): conformance, `instance of` for every type, and conversions.
@Suite struct FEELTypesTests {
    func eval(_ s: String, _ vars: [String: Value] = [:]) throws -> Value { try Expression(s).evaluate(vars) }

    // §10.3.2.9.2 and the type grammar (rule 54): simple and parameterised types
    @Test func instanceOfEveryType() throws {
        #expect(try eval("1 instance of number") == true)
        #expect(try eval("\"a\" instance of string") == true)
        #expect(try eval("@\"2020-01-01\" instance of date") == true)
        #expect(try eval("@\"2020-01-01T10:00:00\" instance of date and time") == true)
        #expect(try eval("@\"10:00:00\" instance of time") == true)
        #expect(try eval("@\"P1D\" instance of days and time duration") == true)
        #expect(try eval("@\"P1Y\" instance of years and months duration") == true)
        #expect(try eval("[1, 2] instance of list<number>") == true)
        #expect(try eval("[1, \"a\"] instance of list<number>") == false)
        #expect(try eval("[1, \"a\"] instance of list<Any>") == true)
        #expect(try eval("{a: 1, b: \"x\"} instance of context<a: number>") == true)
        #expect(try eval("{a: 1} instance of context<a: string>") == false)
        #expect(try eval("[1..5] instance of range<number>") == true)
        #expect(try eval("[1..5] instance of range<string>") == false)
        #expect(try eval("(function(a, b) a + b) instance of function<Any, Any> -> Any") == true)
        #expect(try eval("(function(a) a) instance of function<Any, Any> -> Any") == false)
        #expect(try eval("1 instance of Any") == true)
        #expect(try eval("null instance of Any") == false)
        #expect(try eval("null instance of Null") == true)
        #expect(try eval("1 instance of string or true") == true)
    }

    // rule 57: typed parameters; an argument that does not convert is bound as null
    @Test func typedFunctionParameters() throws {
        func eval(_ s: String) throws -> Value { try Expression(s, dynamicCalls: true).evaluate([:]) }
        #expect(try eval("{f: function(n: number) n * 2, r: f(4)}.r") == 8)
        #expect(try eval("{f: function(n: number) n, r: f(\"x\")}.r") == .null)
        #expect(try eval("{f: function(l: list<number>) count(l), r: f(7)}.r") == 1)
    }

    // §7.3.2: a structure needs each of its components; more entries are allowed
    @Test func structuresNeedTheirComponents() {
        let t = FEELType.item(ItemType(name: "tPerson", base: .any, isCollection: false, allowedValues: nil,
                                       components: [.init(name: "age", type: .number)]))
        #expect(t.convert(["age": 3, "name": "x"]) == ["age": 3, "name": "x"])
        #expect(t.convert(["name": "x"]) == nil)
        #expect(t.convert(["age": "old"]) == nil)
    }

    @Test func unknownTypeIsAParseError() {
        #expect(throws: ExpressionError.self) { try Expression("1 instance of nonsense") }
    }

    // §10.3.2.9.4 type conversions: to and from singleton lists, date to date and time
    @Test func conversions() throws {
        let list = try #require(FEELType.parse("list<number>"))
        #expect(list.convert(1) == [1])
        #expect(FEELType.number.convert([5]) == 5)
        #expect(FEELType.number.convert([5, 6]) == nil)
        #expect(FEELType.number.convert("5") == nil)
        #expect(FEELType.string.convert(.null) == .null)
        let d = try eval("@\"2020-03-04\"")
        #expect(FEELType.dateTime.convert(d) == (try eval("@\"2020-03-04T00:00:00Z\"")))
        #expect(FEELType.parse("context<a: number, b: list<string>>") != nil)
        #expect(FEELType.parse("function<number> -> string") != nil)
        #expect(FEELType.parse("dateTime") == .dateTime)
        #expect(FEELType.parse("list<") == nil)
    }

    // §7.3.2 item definitions: allowed values constrain the (element) values
    @Test func itemDefinitionConstraints() throws {
        let allowed = try UnaryTests("[0..10]")
        let t = FEELType.item(ItemType(name: "tScore", base: .number, isCollection: false, allowedValues: allowed))
        #expect(t.convert(5) == 5)
        #expect(t.convert(11) == nil)
        let many = FEELType.item(ItemType(name: "tScores", base: .number, isCollection: true, allowedValues: allowed))
        #expect(many.convert([1, 2]) == [1, 2])
        #expect(many.convert(3) == [3])
        #expect(many.convert([1, 20]) == nil)
    }
}
