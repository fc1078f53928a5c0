import BPMExpressions
import BPMRuntime
import Testing

/// Camunda Forms as the engine reads them: conditions, flags and options as FEEL gives them,
/// and a completion's variables checked against what the form shows.
@Suite struct CamundaFormTests {
    static let form = """
    {"components": [
      {"type": "textfield", "key": "name", "validate": {"required": true, "minLength": 2, "pattern": "[A-Z].*"}},
      {"type": "textfield", "key": "mail", "validate": {"validationType": "email"}},
      {"type": "number", "key": "age", "validate": {"min": 18}},
      {"type": "checkbox", "key": "adult"},
      {"type": "datetime", "key": "day", "subtype": "date"},
      {"type": "datetime", "key": "at", "subtype": "time"},
      {"type": "radio", "key": "size", "values": [{"label": "S", "value": "s"}, {"label": "M", "value": "m"}]},
      {"type": "group", "label": "More", "conditional": {"hide": "=adult"}, "components": [
        {"type": "textfield", "key": "guardian", "validate": {"required": true}}]},
      {"type": "textfield", "key": "note", "readonly": "=age > 60", "disabled": true, "validate": {"required": true}}
    ]}
    """

    @Test func optionsConditionsAndFlagsComeFromTheFormsData() throws {
        let plain = try JSON.parse(#"{"type": "select", "valuesKey": "sizes"}"#)
        #expect(CamundaForm.options(plain, ["sizes": ["s", "m"]])
            == [.init(label: "s", value: "s"), .init(label: "m", value: "m")])
        #expect(CamundaForm.options(plain, [:]) == nil, "no such variable: no options, not an empty list")
        let computed = try JSON.parse(#"""
        {"type": "select", "valuesExpression": "=for n in 1..2 return {label: string(n), value: n}"}
        """#)
        #expect(CamundaForm.options(computed, [:])?.map(\.value) == [1, 2])
        let c = try JSON.parse(#"{"conditional": {"hide": "=x > 3"}, "readonly": "=x = 5", "disabled": false}"#)
        #expect(CamundaForm.isHidden(c, ["x": 5]) && !CamundaForm.isHidden(c, ["x": 1]))
        #expect(CamundaForm.flag(c, "readonly", ["x": 5]) && !CamundaForm.flag(c, "disabled", ["x": 5]))
        let broken = try JSON.parse(#"{"conditional": {"hide": "=("}}"#)
        #expect(!CamundaForm.isHidden(broken, [:]), "a broken condition hides nothing")
    }

    @Test func aCompletionIsCheckedAgainstTheComponentsShown() throws {
        let form = try #require(CamundaForm(Self.form))
        #expect(CamundaForm("[1, 2]") == nil)
        #expect(form.problems([:], instance: [:]) == ["name: required", "guardian: required"])
        let bad: [String: Value] = ["name": "x", "mail": "nope", "age": "ten", "adult": "yes", "day": "4.1.2027",
                                    "at": "11:30:00Z", "size": "xl", "guardian": "Bo"]
        #expect(form.problems(bad, instance: [:]) == [
            "name: must have at least 2 characters", "name: must match the pattern [A-Z].*",
            "mail: must be an e-mail address",
            "age: must be a number, got string", "adult: must be true or false, got string",
            "day: must be a date like 2027-01-04", "size: xl is not one of the options (s, m)",
        ])
        let good: [String: Value] = ["name": "Ann", "mail": "ann@example.com", "age": 30, "adult": true,
                                     "day": "2027-01-04", "size": "m"]
        #expect(form.problems(good, instance: [:]).isEmpty, "the group is hidden for an adult, the note disabled")
        let instance: [String: Value] = ["name": "Ann", "adult": false, "guardian": "Bo"]
        #expect(form.problems(["age": 12], instance: instance) == ["age: must be at least 18"],
                "the instance's variables count, the submitted ones over them")
    }
}
