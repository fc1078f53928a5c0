import BPMCamunda
import BPMExpressions
import Foundation
import Testing

/// A DMN model as Camunda Modeler writes it (Tests/Fixtures/camunda8/dinner.dmn): `dish` (a FIRST table) requires `season` (a literal
/// expression); `strict` is a UNIQUE table whose two rules always both match (it fails).
let dishDMN = try! String(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/camunda8/dinner.dmn"), encoding: .utf8)

@Suite(.serialized) struct CamundaDecisionEvaluationTests {
    /// The evaluated decisions in evaluation order, the table's inputs (id, label or expression,
    /// value), the rule FIRST chose (id, index from 1, outputs) and the keys of the deployment.
    @Test(arguments: ["sqlite", "postgres"]) func evaluationReportsMatchedRulesAndInputs(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let deployed = try await g.deploy(resources: [CamundaResource(name: "dinner.dmn", content: Data(dishDMN.utf8))])
        let dishKey = try #require(deployed.decisions.first { $0.dmnDecisionId == "dish" }?.decisionKey)
        let seasonKey = try #require(deployed.decisions.first { $0.dmnDecisionId == "season" }?.decisionKey)
        let e = try await g.evaluateDecision(
            decisionId: nil, decisionKey: dishKey, variables: ["month": .number(9), "guests": .number(4)])
        #expect(e.decisionId == "dish" && e.decisionOutput == .string("Ribs") && e.failedDecisionId.isEmpty)
        #expect(e.decisionRequirementsId == "Dinner")
        #expect(e.decisionRequirementsKey == deployed.decisionRequirements.first?.decisionRequirementsKey)
        #expect(e.evaluatedDecisions.map(\.decisionId) == ["season", "dish"])
        #expect(e.evaluatedDecisions.map(\.decisionKey) == [seasonKey, dishKey])
        #expect(e.evaluatedDecisions.map(\.decisionType) == ["LITERAL_EXPRESSION", "DECISION_TABLE"])
        #expect(e.evaluatedDecisions[0].decisionOutput == .string("Autumn"))
        #expect(e.evaluatedDecisions[0].matchedRules.isEmpty && e.evaluatedDecisions[0].evaluatedInputs.isEmpty)
        let table = e.evaluatedDecisions[1]
        #expect(table.evaluatedInputs.map(\.inputId) == ["inSeason", "inGuests"])
        #expect(table.evaluatedInputs.map(\.inputName) == ["Season of the year", "guests"])
        #expect(table.evaluatedInputs.map(\.inputValue) == [.string("Autumn"), .number(4)])
        let rule = try #require(table.matchedRules.first)
        #expect(table.matchedRules.count == 1 && rule.ruleId == "rule-ribs" && rule.ruleIndex == 2)
        #expect(rule.evaluatedOutputs.map { [$0.outputId, $0.outputName] } == [["outDish", "dish"]])
        #expect(rule.evaluatedOutputs.map(\.outputValue) == [.string("Ribs")])
    }

    /// A failing decision answers `failedDecisionId` and the reason, not an error; decisions
    /// evaluated before it are listed.
    @Test func aFailedEvaluationNamesTheDecision() async throws {
        let (store, cleanup) = try await camundaStore("sqlite")
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deploy(resources: [CamundaResource(name: "dinner.dmn", content: Data(dishDMN.utf8))])
        let e = try await g.evaluateDecision(decisionId: "strict", decisionKey: nil, variables: ["guests": .number(1)])
        #expect(e.failedDecisionId == "strict" && e.failureMessage.contains("UNIQUE hit policy: rules 1, 2 all match"))
        #expect(e.evaluatedDecisions.isEmpty && e.decisionOutput == .null)
        #expect(await camundaCode { _ = try await g.evaluateDecision(decisionId: "nope", decisionKey: nil, variables: [:]) }
            == .notFound)
    }
}
