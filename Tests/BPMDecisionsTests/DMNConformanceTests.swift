import BPMDecisions
import BPMExpressions
import BPMModel
import Testing

/// DMN 1.5 chapters 6–8 and 10.2 clause by clause: typeRef conversions, DRG scope, boxed
/// expressions, imports, and what is refused at deploy.
@Suite struct DMNConformanceTests {
    static func model(_ body: String, extra: String = "") -> String {
        """
        <definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m" namespace="urn:m" \(extra)>
        \(body)
        </definitions>
        """
    }

    func read(_ body: String, imports: [String: DecisionModel] = [:]) throws -> DecisionModel {
        try DMNReader.read(source: Self.model(body), file: "m.dmn", imports: imports)
    }

    func literal(_ name: String, _ text: String, typeRef: String? = nil, requires: [String] = []) -> String {
        let t = typeRef.map { " typeRef=\"\($0)\"" } ?? ""
        let reqs = requires.map { "<informationRequirement><requiredInput href=\"#\($0)\"/></informationRequirement>" }
            .joined()
        return "<decision name=\"\(name)\" id=\"\(name)\"><variable name=\"\(name)\"\(t)/>\(reqs)"
            + "<literalExpression><text>\(text)</text></literalExpression></decision>"
    }

    // §7.3.4 and §10.3.2.9.4: a decision's result is converted to its typeRef, or null
    @Test func decisionResultsFollowTheirTypeRef() throws {
        let m = try read(
            """
            <itemDefinition name="tNumbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>
            <itemDefinition name="tSmall"><typeRef>number</typeRef><allowedValues><text>&lt; 10</text></allowedValues></itemDefinition>
            \(literal("asNumber", "\"x\"", typeRef: "number"))
            \(literal("asList", "5", typeRef: "tNumbers"))
            \(literal("fromList", "[7]", typeRef: "number"))
            \(literal("small", "12", typeRef: "tSmall"))
            \(literal("smallOk", "3", typeRef: "tSmall"))
            \(literal("feelType", "[1, 2]", typeRef: "list&lt;number&gt;"))
            """)
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("asNumber", inputs: [:]) == .null)
        #expect(try e.evaluate("asList", inputs: [:]) == [5])
        #expect(try e.evaluate("fromList", inputs: [:]) == 7)
        #expect(try e.evaluate("small", inputs: [:]) == .null)
        #expect(try e.evaluate("smallOk", inputs: [:]) == 3)
        #expect(try e.evaluate("feelType", inputs: [:]) == [1, 2])
    }

    // §7.3.2: structures (itemComponents); §6.3.10: input data converted to their typeRef
    @Test func inputDataAndStructures() throws {
        let m = try read(
            """
            <itemDefinition name="tPerson"><itemComponent name="age"><typeRef>number</typeRef></itemComponent></itemDefinition>
            <inputData name="person" id="person"><variable name="person" typeRef="tPerson"/></inputData>
            <inputData name="day" id="day"><variable name="day" typeRef="dateTime"/></inputData>
            \(literal("age", "person.age", requires: ["person"]))
            \(literal("hour", "day.hour", requires: ["day"]))
            """)
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("age", inputs: ["person": ["age": 30]]) == 30)
        #expect(try e.evaluate("age", inputs: ["person": ["age": "old"]]) == .null)
        #expect(try e.evaluate("age", inputs: ["person": ["age": 30, "name": "extra entries conform"]]) == 30)
        let day = try Expression("@\"2021-05-06\"").evaluate([:])
        #expect(try e.evaluate("hour", inputs: ["day": day]) == 0)
    }

    // §6.3.1: a decision sees the decisions it requires, not the others; input data it requires
    // are converted to their types; the caller's other variables stay visible (process variables)
    @Test func drgScope() throws {
        let m = try read(
            """
            <inputData name="a" id="a"><variable name="a" typeRef="number"/></inputData>
            \(literal("other", "1"))
            \(literal("onlyA", "[a, other, free]", requires: ["a"]))
            """)
        #expect(try DecisionEvaluator(model: m).evaluate("onlyA", inputs: ["a": [1], "free": 3]) == [1, .null, 3])
    }

    // §10.2.9–10.2.11: boxed conditional, filter and iterators
    @Test func boxedConditionalFilterIterator() throws {
        func lit(_ t: String) -> String { "<literalExpression><text>\(t)</text></literalExpression>" }
        let m = try read(
            """
            <decision name="c" id="c"><conditional><if>\(lit("1 &gt; 2"))</if><then>\(lit("\"yes\""))</then>\
            <else>\(lit("\"no\""))</else></conditional></decision>
            <decision name="f" id="f"><filter><in>\(lit("[{x: 1}, {x: 5}]"))</in><match>\(lit("x &gt; 2"))</match></filter></decision>
            <decision name="i" id="i"><for iteratorVariable="n"><in>\(lit("[1, 2]"))</in><return>\(lit("n * 10"))</return></for></decision>
            <decision name="s" id="s"><some iteratorVariable="n"><in>\(lit("[1, 2]"))</in><satisfies>\(lit("n &gt; 1"))</satisfies></some></decision>
            <decision name="e" id="e"><every iteratorVariable="n"><in>\(lit("[1, 2]"))</in><satisfies>\(lit("n &gt; 1"))</satisfies></every></decision>
            """)
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("c", inputs: [:]) == "no")
        #expect(try e.evaluate("f", inputs: [:]) == [["x": 5]])
        #expect(try e.evaluate("i", inputs: [:]) == [10, 20])
        #expect(try e.evaluate("s", inputs: [:]) == true)
        #expect(try e.evaluate("e", inputs: [:]) == false)
    }

    // §6.3.9 and §10.4: BKM arguments are converted to the parameters' types; one that does not convert is null
    @Test func knowledgeModelsWithTypedParameters() throws {
        let m = try read(
            """
            <businessKnowledgeModel name="double it" id="bkm"><encapsulatedLogic>\
            <formalParameter name="n" typeRef="number"/><literalExpression><text>n * 2</text></literalExpression>\
            </encapsulatedLogic></businessKnowledgeModel>
            <decision name="d" id="d"><knowledgeRequirement><requiredKnowledge href="#bkm"/></knowledgeRequirement>\
            <literalExpression><text>[double it(4), double it("x"), double it(n: 1)]</text></literalExpression></decision>
            """)
        #expect(try DecisionEvaluator(model: m).evaluate("d", inputs: [:]) == [8, .null, 2])
    }

    // §6.3.3: imported models' elements are qualified with the import's name
    @Test func importsWithPrefixes() throws {
        let lib = try DMNReader.read(
            source: """
                <definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="lib" id="lib" namespace="urn:lib">
                  <inputData name="base rate" id="rate"/>
                  <decision name="rate plus one" id="r1"><informationRequirement><requiredInput href="#rate"/></informationRequirement>
                    <literalExpression><text>base rate + 1</text></literalExpression></decision>
                  <businessKnowledgeModel name="twice" id="tw"><encapsulatedLogic><formalParameter name="x"/>
                    <literalExpression><text>x * 2</text></literalExpression></encapsulatedLogic></businessKnowledgeModel>
                </definitions>
                """, file: "lib.dmn")
        let m = try read(
            """
            <import namespace="urn:lib" name="lib" importType="https://www.omg.org/spec/DMN/20230324/MODEL/"/>
            <decision name="d" id="d"><informationRequirement><requiredDecision href="urn:lib#r1"/></informationRequirement>
              <knowledgeRequirement><requiredKnowledge href="urn:lib#tw"/></knowledgeRequirement>
              <literalExpression><text>lib.twice(lib.rate plus one)</text></literalExpression></decision>
            """, imports: ["urn:lib": lib])
        let e = DecisionEvaluator(model: m)
        #expect(try e.evaluate("d", inputs: [:], namespaced: ["urn:lib": ["base rate": 4]]) == 10)
        #expect(try e.evaluate("d", inputs: ["lib": ["base rate": 1]]) == 4)
        #expect(throws: DefinitionErrors.self) {
            try read("<import namespace=\"urn:none\" name=\"x\" importType=\"DMN\"/>")
        }
    }

    // item 9: Java and PMML functions, and other expression languages, are refused at deploy
    @Test func refusedAtDeploy() {
        func refused(_ body: String, extra: String = "", _ words: [String]) {
            do {
                _ = try DMNReader.read(source: Self.model(body, extra: extra), file: "m.dmn")
                Issue.record("accepted: \(body)")
            } catch {
                let text = error.errors.map(\.description).joined()
                for w in words { #expect(text.contains(w), "\(text)") }
                #expect(text.contains("m.dmn:"))
            }
        }
        refused(
            """
            <businessKnowledgeModel name="max" id="b"><encapsulatedLogic kind="Java"><formalParameter name="a"/>\
            <context/></encapsulatedLogic></businessKnowledgeModel>
            """, ["max", "Java"])
        refused(
            "<decision name=\"d\" id=\"d\"><context><contextEntry><variable name=\"f\"/><functionDefinition kind=\"PMML\">"
                + "<context/></functionDefinition></contextEntry></context></decision>", ["PMML"])
        refused(
            literal("d", "function(a) external {java: {class: \"x\", method signature: \"y\"}}"), ["external", "Java"])
        refused(literal("d", "1"), extra: "expressionLanguage=\"http://www.javascript.com\"", ["javascript"])
        refused(literal("d", "${x > 1}"), ["JUEL"])
        refused(
            """
            <decision name="d" id="d"><decisionTable><input><inputExpression><text>risk</text></inputExpression></input>\
            <output name="o"/><rule><inputEntry><text>== "HIGH"</text></inputEntry><outputEntry><text>1</text></outputEntry></rule>\
            </decisionTable></decision>
            """, ["==", "Flowable"])
        refused(
            """
            <decision name="d" id="d"><decisionTable><input><inputExpression expressionLanguage="juel"><text>risk</text>\
            </inputExpression></input><output name="o"/></decisionTable></decision>
            """, ["juel"])
    }
}
