import BPMDecisions
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// Item definitions that refer to later ones, a knowledge model's function type (§6.3.9,
/// §7.3.2), and the TCK test-case format's untyped values and `type="bkm"` cases.
@Suite struct DMNTypesAndTestFormatTests {
    func read(_ body: String) throws -> DecisionModel {
        try DMNReader.read(source: DMNConformanceTests.model(body), file: "m.dmn", imports: [:])
    }

    // §7.3.2: a function item's outputTypeRef and parameter typeRefs may name any item
    // definition of the model, in any order
    @Test func functionItemsReferToLaterDefinitions() throws {
        let m = try read(
            """
            <itemDefinition name="aFunction"><functionItem outputTypeRef="zNumbers"/></itemDefinition>
            <itemDefinition name="zNumbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>
            <businessKnowledgeModel name="one" id="one"><variable name="one" typeRef="aFunction"/>
              <encapsulatedLogic><literalExpression><text>1</text></literalExpression></encapsulatedLogic>
            </businessKnowledgeModel>
            <decision name="d" id="d"><variable name="d"/>
              <knowledgeRequirement><requiredKnowledge href="#one"/></knowledgeRequirement>
              <literalExpression><text>one()</text></literalExpression></decision>
            """)
        // §6.3.9: the knowledge model's variable has the function's type; its result is
        // converted to the output type (here a value to a singleton list, §10.3.2.9.4)
        #expect(try DecisionEvaluator(model: m).evaluate("d", inputs: [:]) == [1])
        // a knowledge model evaluated on its own takes its parameters by name
        #expect(try DecisionEvaluator(model: m).evaluate("one", inputs: [:]) == [1])
    }

    // DMN 1.1 writes typeRefs as QNames; a prefix bound to the model's own namespace names its
    // item definitions
    @Test func qualifiedTypeRefsOfTheModelsOwnNamespace() throws {
        let source = """
            <dmn:definitions xmlns:dmn="http://www.omg.org/spec/DMN/20151101/dmn.xsd" xmlns:ns1="urn:q"
              xmlns:feel="http://www.omg.org/spec/FEEL/20140401" name="q" id="q" namespace="urn:q">
              <dmn:itemDefinition name="tDays"><dmn:typeRef>feel:dayTimeDuration</dmn:typeRef></dmn:itemDefinition>
              <dmn:decision name="d" id="d"><dmn:variable name="d" typeRef="ns1:tDays"/>
                <dmn:literalExpression><dmn:text>[duration("P1D")]</dmn:text></dmn:literalExpression></dmn:decision>
            </dmn:definitions>
            """
        let m = try DMNReader.read(source: source, file: "q.dmn")
        let oneDay = try Expression("@\"P1D\"").evaluate([:])
        #expect(try DecisionEvaluator(model: m).evaluate("d", inputs: [:]) == oneDay)
        #expect(throws: DefinitionErrors.self) {
            try DMNReader.read(source: source.replacingOccurrences(of: "ns1:tDays", with: "ns2:tDays"), file: "q.dmn")
        }
    }

    // DMN 1.2 (and 1.1): invoking a decision service gives a context of its output decisions,
    // also for one output; DMN 1.3 and later give that one decision's value (DMN13-163)
    @Test func decisionServiceResultsByDMNVersion() throws {
        func model(_ ns: String) -> String {
            """
            <definitions xmlns="\(ns)" name="s" id="s" namespace="urn:s">
              <decisionService name="ds" id="ds"><variable name="ds"/><outputDecision href="#out"/></decisionService>
              <decision name="out" id="out"><variable name="out"/>
                <literalExpression><text>5</text></literalExpression></decision>
              <decision name="call" id="call"><variable name="call"/>
                <knowledgeRequirement><requiredKnowledge href="#ds"/></knowledgeRequirement>
                <literalExpression><text>ds()</text></literalExpression></decision>
            </definitions>
            """
        }
        let v12 = try DMNReader.read(source: model("http://www.omg.org/spec/DMN/20180521/MODEL/"), file: "s.dmn")
        let v15 = try DMNReader.read(source: model("https://www.omg.org/spec/DMN/20230324/MODEL/"), file: "s.dmn")
        #expect(try DecisionEvaluator(model: v12).evaluate("call", inputs: [:]) == .context(["out": 5]))
        #expect(try DecisionEvaluator(model: v15).evaluate("call", inputs: [:]) == 5)
    }

    @Test func knowledgeModelsTakeNamedInputs() throws {
        let m = try read(
            """
            <businessKnowledgeModel name="twice" id="twice"><variable name="twice"/>
              <encapsulatedLogic><formalParameter name="n" typeRef="number"/>
              <literalExpression><text>n * 2</text></literalExpression></encapsulatedLogic>
            </businessKnowledgeModel>
            """)
        #expect(try DecisionEvaluator(model: m).evaluate("twice", inputs: ["n": 21]) == 42)
    }

    // the TCK format: a `<value>` without xsi:type holds a boolean or a number when its text
    // is one; `type="bkm"` test cases invoke a knowledge model
    @Test func untypedExpectedValuesAndKnowledgeModelCases() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tck-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try DMNConformanceTests.model(
            """
            <decision name="ctx" id="ctx"><variable name="ctx"/><context>
              <contextEntry><variable name="yes"/>
                <literalExpression><text>1 &lt; 2</text></literalExpression></contextEntry>
              <contextEntry><variable name="n"/>
                <literalExpression><text>1.5 * 2</text></literalExpression></contextEntry>
              <contextEntry><variable name="s"/>
                <literalExpression><text>"x"</text></literalExpression></contextEntry>
            </context></decision>
            <businessKnowledgeModel name="inc" id="inc"><variable name="inc"/><encapsulatedLogic>
              <formalParameter name="n"/><literalExpression><text>n + 1</text></literalExpression></encapsulatedLogic>
            </businessKnowledgeModel>
            """
        ).write(to: dir.appendingPathComponent("m.dmn"), atomically: true, encoding: .utf8)
        try """
        <tc:testCases xmlns:tc="http://www.omg.org/spec/DMN/20160719/testcase"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
          <tc:modelName>m.dmn</tc:modelName>
          <tc:testCase id="1"><tc:resultNode name="ctx"><tc:expected>
            <tc:component name="yes"><tc:value>true</tc:value></tc:component>
            <tc:component name="n"><tc:value>3</tc:value></tc:component>
            <tc:component name="s"><tc:value>x</tc:value></tc:component>
          </tc:expected></tc:resultNode></tc:testCase>
          <tc:testCase id="2" invocableName="inc" type="bkm">
            <tc:inputNode name="n"><tc:value xsi:type="xsd:decimal">41</tc:value></tc:inputNode>
            <tc:resultNode name="inc">
              <tc:expected><tc:value xsi:type="xsd:decimal">42</tc:value></tc:expected></tc:resultNode>
          </tc:testCase>
        </tc:testCases>
        """.write(to: dir.appendingPathComponent("m-test-01.xml"), atomically: true, encoding: .utf8)
        let r = TCKRunner.run(folder: dir.path)
        #expect(r.results.count == 2)
        // a folder given as `.` or with a trailing `/.` is named by its own name
        #expect(TCKRunner.run(folder: dir.path + "/.").folder == dir.lastPathComponent)
        let failed = r.results.filter { !$0.passed }.map { "\($0.caseId): \($0.actual)" }
        #expect(failed.isEmpty, "\(failed)")
    }
}
