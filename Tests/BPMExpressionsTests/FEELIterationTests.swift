import BPMExpressions
import Testing

/// `for`, `some` and `every` (DMN 1.5 §10.3.2.14, rules 46–47), and contexts (§10.3.2.6,
/// `context put` and `context merge` of §10.3.4.8).
@Suite struct FEELIterationTests {
    func eval(_ s: String, _ vars: [String: Value] = [:]) throws -> Value { try Expression(s).evaluate(vars) }

    @Test func forLoops() throws {
        #expect(try eval("for i in 1..3 return i * 2") == [2, 4, 6])
        #expect(try eval("for i in 3..1 return i") == [3, 2, 1])
        #expect(try eval("for x in [1, 2], y in [10, 20] return x + y") == [11, 21, 12, 22])
        #expect(try eval("for x in [1, 2], y in [x, x * 10] return y") == [1, 10, 2, 20])
        #expect(try eval("for i in 0..4 return if i = 0 then 1 else i * partial[-1]") == [1, 1, 2, 6, 24])
        #expect(try eval("for d in @\"2020-01-30\"..@\"2020-02-01\" return d.day") == [30, 31, 1])
        #expect(try eval("for i in [] return i") == [])
    }

    @Test func quantifiers() throws {
        #expect(try eval("some x in [1, 2], y in [3, 4] satisfies x + y = 6") == true)
        #expect(try eval("every x in [1, 2], y in [3, 4] satisfies x < y") == true)
        #expect(try eval("every x in [] satisfies false") == true)
        #expect(try eval("some x in [] satisfies true") == false)
    }

    @Test func contextFunctions() throws {
        #expect(try eval("context put({a: 1}, \"b\", 2)") == ["a": 1, "b": 2])
        #expect(try eval("context put({a: {b: 1}}, [\"a\", \"c\"], 2)") == ["a": ["b": 1, "c": 2]])
        #expect(try eval("context put({a: 1}, [\"x\", \"y\"], 2)") == ["a": 1, "x": ["y": 2]])
        #expect(try eval("context put({a: 1}, [], 2)") == .null)
        #expect(try eval("context merge([{a: 1}, {a: 2, b: 3}])") == ["a": 2, "b": 3])
        #expect(try eval("get value({a: {b: 5}}, [\"a\", \"b\"])") == 5)
        #expect(try eval("get value({a: 1}, \"a\")") == 1)
        #expect(try eval("{a: 1, b: a + 1}.b") == 2)
    }
}
