import BPMDecisions
import BPMModel
import Foundation

/// What `bpm validate` finds in one definition source, and `POST /definitions/validate` answers: the problems
/// that stop it from deploying, the warnings it deploys with, and what it defines when it is valid.
public struct DefinitionCheck: Sendable {
    /// The formats a source can be read as: sniffed from the text unless named.
    public static let formats = ["yaml", "bpmn", "dmn", "rules"]

    /// The format it was read as.
    public var format: String
    /// The problems (errors) that keep it from deploying, by line and column.
    public var problems: [DefinitionError] = []
    /// Problems it deploys with (a BPMN element no path reaches, a quoted string in the DSL).
    public var warnings: [DefinitionError] = []
    /// The processes it defines (when valid).
    public var definitions: [ProcessDefinition] = []
    /// The decisions it defines (a DMN model or a rule set, when valid).
    public var decisions: [String] = []

    /// Problems and warnings in the order `bpm validate` prints them (by line and column when it is invalid).
    public var reported: [DefinitionError] = []

    public var valid: Bool { problems.isEmpty }

    /// Checks a source; `format` nil: sniffed (`DefinitionLoader.format(of:)`), else one of `formats`.
    public static func run(source: String, file: String, format: String? = nil) -> DefinitionCheck {
        var format = format ?? DefinitionLoader.format(of: source)
        if format == "yaml", RuleSetReader.isRuleSet(source) { format = "rules" }
        var check = DefinitionCheck(format: format)
        do {
            switch format {
            case "dmn", "rules":
                let model = try format == "dmn" ? DMNReader.read(source: source, file: file)
                    : RuleSetReader.read(source: source, file: file)
                check.decisions = model.decisions.map(\.id)
            case "bpmn":
                check.definitions = try BPMNDefinitionReader.read(source: source, file: file)
            default:
                check.definitions = [try YAMLDefinitionReader.read(source: source, file: file)]
            }
            check.warnings = check.definitions.flatMap(\.warnings)
            check.reported = check.warnings
        } catch {
            check.reported = error.errors
            check.problems = error.errors.filter { !$0.isWarning }
            check.warnings = error.errors.filter(\.isWarning)
        }
        return check
    }

    /// What a valid source defines, as `bpm validate` prints it after `FILE: ok`.
    public var summary: String {
        if !decisions.isEmpty { return "decisions: \(decisions.joined(separator: ", "))" }
        return definitions.map { d in
            "\(d.id): \(d.elements.count) elements, \(d.flows.count) flows\(d.isExecutable ? "" : ", not executable")"
        }.joined(separator: "; ")
    }
}
