import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import Foundation

/// Deployed decisions (DMN models and YAML rule sets), by decision id and name.
public final class DecisionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var byKey: [String: (DecisionModel, String)] = [:]

    public init() {}

    /// Adds every decision of a model.
    public func add(_ model: DecisionModel) {
        lock.withLock {
            for d in model.decisions {
                byKey[d.id] = (model, d.name)
                byKey[d.name] = (model, d.name)
            }
        }
    }

    /// Removes decisions by id (and their names), as their deletion does.
    public func remove(_ ids: [String]) {
        lock.withLock {
            for id in ids {
                if let (_, name) = byKey[id] { byKey[name] = nil }
                byKey[id] = nil
            }
        }
    }

    /// The ids (and names) of the deployed decisions.
    public var keys: [String] { lock.withLock { byKey.keys.sorted() } }

    /// Evaluates a decision by id or name.
    public func evaluate(_ key: String, inputs: [String: Value]) throws(DecisionError) -> Value {
        guard let (model, name) = lock.withLock({ byKey[key] }) else {
            throw DecisionError("no deployed decision '\(key)'")
        }
        return try DecisionEvaluator(model: model).evaluate(name, inputs: inputs)
    }

    /// Evaluates a decision by id or name, recording each decision evaluated (Zeebe's
    /// `evaluatedDecisions`); throws only for a decision that is not deployed.
    public func trace(_ key: String, inputs: [String: Value]) throws(DecisionError) -> DecisionTrace {
        guard let (model, name) = lock.withLock({ byKey[key] }) else {
            throw DecisionError("no deployed decision '\(key)'")
        }
        return DecisionEvaluator(model: model).trace(name, inputs: inputs)
    }

    /// Reads a DMN model or a YAML rule set.
    public static func parse(source: String, file: String) throws(DefinitionErrors) -> DecisionModel {
        if DefinitionLoader.format(of: source) == "dmn" { return try DMNReader.read(source: source, file: file) }
        return try RuleSetReader.read(source: source, file: file)
    }
}

/// The `decision` action of business rule tasks and `type: rules` activities: evaluates the
/// decision over the instance's variables and returns `{resultVariable: result}`.
public struct DecisionConnector: Connector {
    let registry: DecisionRegistry

    public init(registry: DecisionRegistry) { self.registry = registry }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        guard let key = job.payload[member: "decision"].stringValue, let rv = job.payload[member: "resultVariable"].stringValue else {
            return .failed(message: "decision task without a decision id and result variable", retryable: false)
        }
        do {
            return .completed([rv: try registry.evaluate(key, inputs: job.variables ?? [:])])
        } catch {
            return .failed(message: "decision '\(key)': \(error.message)", retryable: false)
        }
    }
}
