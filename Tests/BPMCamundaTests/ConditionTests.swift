import BPMCamunda
import BPMExpressions
import Testing

/// REST v2's advanced filter operators on single values and on list fields.
struct CamundaConditionTests {
    func holds(_ op: CamundaCondition.Op, _ operand: Value, _ value: Value) -> Bool {
        CamundaCondition(field: "f", op: op, operand: operand).holds(value)
    }

    @Test func likeMatchesWildcardsAndEscapes() {
        #expect(holds(.like, "rev*", "review") && holds(.like, "r?view", "review") && holds(.like, "*", ""))
        #expect(!holds(.like, "rev?", "review") && !holds(.like, "view", "review"))
        #expect(holds(.like, #"50\*"#, "50*") && !holds(.like, #"50\*"#, "500"))
        #expect(holds(.like, "a*b*c", "axxbyyc") && !holds(.like, "a*b*c", "axxbyy"))
        #expect(!holds(.like, "1*", .number(12)), "$like compares text only")
    }

    @Test func comparisonsExistenceAndSets() {
        #expect(holds(.gt, .number(2), .number(3)) && !holds(.gt, .number(3), .number(3)))
        #expect(holds(.gte, .number(3), .number(3)) && holds(.lt, "b", "a") && holds(.lte, "a", "a"))
        #expect(!holds(.lt, .number(1), "a"), "different kinds do not compare")
        #expect(holds(.exists, true, "x") && holds(.exists, false, .null) && !holds(.exists, true, .null))
        #expect(holds(.in, ["a", "b"], "b") && holds(.notIn, ["a"], "b") && !holds(.in, "a", "a"))
        #expect(holds(.neq, "a", "b") && !holds(.neq, "a", "a"))
    }

    @Test func aListFieldMatchesWhenAnItemDoes() {
        let groups: Value = ["sales", "ops"]
        #expect(holds(.eq, "ops", groups) && holds(.like, "s*", groups) && holds(.in, ["hr", "ops"], groups))
        #expect(!holds(.neq, "ops", groups) && holds(.neq, "hr", groups))
        #expect(!holds(.notIn, ["ops"], groups) && holds(.notIn, ["hr"], groups))
        #expect(holds(.exists, true, groups))
    }
}
