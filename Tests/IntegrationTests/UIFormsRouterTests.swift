import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// Camunda Forms in the inbox through the router: checklists, taglists, choices from a variable
/// and from an expression, conditional components (hidden on the page, evaluated again as the
/// form is filled in), read-only and disabled inputs, a notice naming what is not rendered, and
/// the completion checked against the form on the server.
extension OwnAPIRouterTests {
    static let conditionalForm = """
    {"components": [
      {"type": "checklist", "key": "checks", "label": "Checks", "validate": {"required": true},
       "values": [{"label": "Wiring", "value": "wiring"}, {"label": "Pressure", "value": "pressure"}]},
      {"type": "taglist", "key": "tags", "label": "Tags", "valuesKey": "knownTags"},
      {"type": "select", "key": "site", "label": "Site", "valuesExpression": "=sites"},
      {"type": "radio", "key": "unit", "label": "Unit", "valuesKey": "noSuchList"},
      {"type": "number", "key": "bar", "label": "Pressure", "validate": {"min": 1, "max": 6},
       "conditional": {"hide": "=checks = null or not(list contains(checks, \\"pressure\\"))"}},
      {"type": "datetime", "key": "when", "subtype": "datetime", "dateLabel": "When"},
      {"type": "textfield", "key": "ref", "label": "Reference", "readonly": true},
      {"type": "textfield", "key": "code", "label": "Code", "disabled": "=locked"},
      {"type": "dynamiclist", "key": "parts", "label": "Parts", "components": []}
    ]}
    """

    static var conditionalModel: String {
        let form = conditionalForm.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        return """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" \
        xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
          <process id="inspect" isExecutable="true">
            <extensionElements><zeebe:userTaskForm id="inspect-form">\(form)</zeebe:userTaskForm></extensionElements>
            <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
            <userTask id="t"><extensionElements><zeebe:userTask/>
              <zeebe:assignmentDefinition candidateGroups="sales"/>
              <zeebe:formDefinition formKey="camunda-forms:bpmn:inspect-form"/></extensionElements></userTask>
            <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>
          </process>
        </definitions>
        """
    }

    @Test func camundaFormsRenderChoicesAndConditionsAndTheServerChecksACompletion() async throws {
        try await withRouter { client in
            let deployed = try await call(client, .post, "/definitions?file=inspect.bpmn", json: Self.conditionalModel,
                                          contentType: "application/xml")
            #expect(deployed.status == 201, "\(deployed.text)")
            let vars = #"""
            {"variables": {"knownTags": ["a", "b"], "sites": [{"label": "North", "value": 1}], "locked": true}}
            """#
            let started = try await call(client, .post, "/processes/inspect/start", json: vars)
            let id = try #require(started.json[member: "id"].stringValue)
            let task = try #require(try await call(client, .get, "/tasks?instanceId=\(id)").json[member: "items"]
                .listValue?.first?[member: "id"].stringValue)
            let page = try await call(client, .get, "/ui/tasks?task=\(task)").text
            let box = #"<input type=checkbox name="checks" data-kind=list value="&quot;wiring&quot;">"#
            #expect(page.contains(box), "\(page)")
            #expect(page.contains(#"<select name="tags" data-kind=list multiple><option value="&quot;a&quot;">a</option>"#))
            #expect(page.contains(#"<option value="1">North</option>"#), "the expression's options")
            #expect(page.contains(#"<div class=fjs data-c="c4" data-conditional hidden>"#), "pressure is not checked")
            #expect(page.contains(#"type=datetime-local name="when""#))
            #expect(page.contains(#"name="ref" readonly data-readonly"#) && page.contains(#"name="code" disabled"#))
            #expect(page.contains("radio 'unit' (its values come from the variable 'noSuchList' (valuesKey), "
                                  + "which gives no list)"))
            #expect(page.contains("dynamiclist 'parts' (component type not supported)"))
            let state = try await call(client, .post, "/ui/tasks/\(task)/form-state",
                                       json: #"{"variables": {"checks": ["pressure"]}}"#)
            #expect(state.json == ["hidden": []], "checking pressure shows its field")
            let initial = try await call(client, .post, "/ui/tasks/\(task)/form-state", json: "{}")
            #expect(initial.json == ["hidden": ["c4"]])
            let bad = try await call(client, .post, "/tasks/\(task)/complete", json: """
            {"variables": {"checks": ["pressure", "noise"], "bar": 9, "tags": ["z"], "when": "tomorrow", "site": 1}}
            """)
            expectProblem(bad, 422, "invalid-input")
            #expect(bad.json[member: "errors"] == [
                "checks: noise is not among the options (wiring, pressure)", "tags: z is not among the options (a, b)",
                "bar: must be at most 6", "when: must be a date and time like 2027-01-04T11:30",
            ], "\(bad.text)")
            let hidden = try await call(client, .post, "/tasks/\(task)/complete",
                                        json: #"{"variables": {"checks": ["wiring"], "bar": 9, "code": 5}}"#)
            #expect(hidden.status == 200, "a hidden field and a disabled one are not checked: \(hidden.text)")
        }
    }
}
