import BPMExpressions
import Yams

/// The top-level sections of a YAML definition that say how instances start and end rather than
/// what they do: read here for the YAML reader and for the `<bpm:dsl>` element of an exported
/// BPMN file, which keeps them as YAML text (docs/bpmn.md, "Export from YAML").
extension YAMLDefinitionReader.Builder {
    struct ProcessLevel {
        var trigger: Trigger?
        var variables: [VariableSpec] = []
        var correlation: Expression?
        var timeout: ProcessTimeout?
    }

    /// `trigger`, `variables`, `correlation_key` (by default the first variable taken from the
    /// event's tags) and `timeout`.
    mutating func readProcessLevel(_ top: Node.Mapping) -> ProcessLevel {
        var level = ProcessLevel()
        level.trigger = top[key: "trigger"].flatMap { readTrigger($0) }
        level.variables = top[key: "variables"].map { readVariables($0) } ?? []
        if let ck = top[key: "correlation_key"] {
            level.correlation = ctx.expression(ck, "correlation_key")
        } else if let dflt = YAMLDefinitionReader.defaultCorrelationVariable(level.variables) {
            level.correlation = try? Expression(dflt)
        }
        YAMLSilence.requireKey(top[key: "trigger"], level.trigger, hasKey: level.correlation != nil, &ctx)
        YAMLWindows.checkNames(top[key: "trigger"], level.trigger, variables: level.variables,
                               hasKey: level.correlation != nil, &ctx)
        level.timeout = top[key: "timeout"].flatMap { processTimeout($0) }
        return level
    }
}
