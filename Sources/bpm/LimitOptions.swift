import ArgumentParser
import BPMModel
import Foundation

/// `bpm serve`'s bounds on input (see `Limits`), each also a `BPM_MAX_*` variable.
struct LimitOptions: ParsableArguments {
    private static func env(_ name: String) -> Int? { Int(ProcessInfo.processInfo.environment[name] ?? "") }

    @Option(help: "Largest definition file (YAML, BPMN, DMN) in bytes.")
    var maxDefinitionBytes = env("BPM_MAX_DEFINITION_BYTES") ?? Limits().definitionBytes

    @Option(help: "Most flow elements in one process.")
    var maxElements = env("BPM_MAX_ELEMENTS") ?? Limits().elements

    @Option(help: "Most values a YAML definition may expand to through aliases.")
    var maxYamlNodes = env("BPM_MAX_YAML_NODES") ?? Limits().yamlNodes

    @Option(help: "Most steps one expression evaluation may take (past it: null).")
    var maxExpressionSteps = env("BPM_MAX_EXPRESSION_STEPS") ?? Limits().expressionSteps

    @Option(help: "Deepest nesting (function calls) of one expression evaluation.")
    var maxExpressionDepth = env("BPM_MAX_EXPRESSION_DEPTH") ?? Limits().expressionDepth

    @Option(help: "Most instances one multi-instance activity may create from its loop cardinality.")
    var maxLoopInstances = env("BPM_MAX_LOOP_INSTANCES") ?? Limits().loopInstances

    @Option(help: "Largest API request body in bytes (deploys may be up to --max-definition-bytes).")
    var maxRequestBytes = env("BPM_MAX_REQUEST_BYTES") ?? Limits().requestBytes

    @Option(help: "Largest variables (as JSON) one request or event hands to an instance, in bytes.")
    var maxVariablesBytes = env("BPM_MAX_VARIABLES_BYTES") ?? Limits().variablesBytes

    @Option(help: "Largest Kafka/MQTT event in bytes (larger ones are dead-lettered as too_large).")
    var maxEventBytes = env("BPM_MAX_EVENT_BYTES") ?? Limits().eventBytes

    @Option(help: "Longest job-activation long poll in seconds (requestTimeout is cut to it).")
    var maxLongPoll: Double = Double(ProcessInfo.processInfo.environment["BPM_MAX_LONG_POLL"] ?? "") ?? Limits().longPollSeconds

    @Option(help: "Most element activations one command may cause in an instance without it waiting (past it: an incident names the loop).")
    var maxSteps = env("BPM_MAX_STEPS") ?? Limits().steps

    func validate() throws {
        for (name, v) in [("--max-definition-bytes", maxDefinitionBytes), ("--max-elements", maxElements), ("--max-yaml-nodes", maxYamlNodes),
                          ("--max-expression-steps", maxExpressionSteps), ("--max-expression-depth", maxExpressionDepth), ("--max-loop-instances", maxLoopInstances),
                          ("--max-request-bytes", maxRequestBytes), ("--max-variables-bytes", maxVariablesBytes), ("--max-event-bytes", maxEventBytes),
                          ("--max-steps", maxSteps)] where v < 1 {
            throw ValidationError("\(name) must be at least 1, got \(v)")
        }
        if maxLongPoll < 0 { throw ValidationError("--max-long-poll must not be negative") }
    }

    var limits: Limits {
        var l = Limits()
        l.definitionBytes = maxDefinitionBytes
        l.elements = maxElements
        l.yamlNodes = maxYamlNodes
        l.expressionSteps = maxExpressionSteps
        l.expressionDepth = maxExpressionDepth
        l.loopInstances = maxLoopInstances
        l.requestBytes = maxRequestBytes
        l.variablesBytes = maxVariablesBytes
        l.eventBytes = maxEventBytes
        l.longPollSeconds = maxLongPoll
        l.steps = maxSteps
        return l
    }
}
