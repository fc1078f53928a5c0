import BPMExpressions
import Foundation
import Testing

/// Camunda 8's FEEL built-ins (extensions to DMN 1.5, listed in docs/rules.md).
@Suite struct CamundaExtensionTests {
    func eval(_ s: String, _ vars: [String: Value] = [:]) throws -> Value { try Expression(s).evaluate(vars) }

    @Test func listAndStringExtensions() throws {
        #expect(try eval("is empty([])") == true)
        #expect(try eval("is empty(\"x\")") == .null)
        #expect(try eval("is blank(\" \\t\")") == true)
        #expect(try eval("is blank(\"a\")") == false)
        #expect(try eval("partition([1, 2, 3], 2)") == [[1, 2], [3]])
        #expect(try eval("partition([1], 0)") == .null)
        #expect(try eval("duplicate values([1, 2, 1, 3, 2, 1])") == [1, 2])
        #expect(try eval("extract(\"a1b22\", \"[0-9]+\")") == ["1", "22"])
        #expect(try eval("to base64(\"FEEL\")") == "RkVFTA==")
    }

    @Test func valuesAndJSON() throws {
        #expect(try eval("get or else(null, 5)") == 5)
        #expect(try eval("get or else(1, 5)") == 1)
        #expect(try eval("assert(3, 3 > 2)") == 3)
        #expect(try eval("assert(3, 3 < 2, \"too small\")") == .null)
        #expect(try eval("to json({a: [1, true]})") == "{\"a\":[1,true]}")
        #expect(try eval("from json(\"{\\\"a\\\": 1}\")") == ["a": 1])
        #expect(try eval("from json(\"{\")") == .null)
        let id = try eval("uuid()").stringValue ?? ""
        #expect(UUID(uuidString: id) != nil)
        let r = try eval("random number()").doubleValue ?? -1
        #expect(r >= 0 && r < 1)
    }
}
