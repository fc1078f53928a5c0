import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

extension CamundaGateway {
    /// `PublishMessage`: correlates to the oldest subscription of the name and correlation
    /// key, starts message start events, and is buffered `timeToLive` ms for instances that
    /// start waiting later; the same `messageId` (and name) within the first's time to live
    /// → `alreadyExists` (claimed in the store, so it holds across restarts and replicas).
    public func publishMessage(_ request: CamundaPublishMessage) async throws -> CamundaPublishedMessage {
        guard !request.name.isEmpty else { throw CamundaError(.invalidArgument, "expected a message name") }
        let ttl = Self.seconds(max(0, request.timeToLive))
        if !request.messageId.isEmpty {
            let now = runtime.clock.now()
            let fresh = try await camunda {
                try await runtime.store.claimMessageId(
                    name: request.name, messageId: request.messageId, expiresAt: now.addingTimeInterval(ttl), now: now)
            }
            guard fresh else {
                throw CamundaError(
                    .alreadyExists,
                    "a message with id '\(request.messageId)' and name '\(request.name)' "
                        + "was already published and is still buffered")
            }
        }
        let message = PublishedMessage(
            name: request.name, correlationKey: request.correlationKey,
            variables: request.variables, timeToLive: ttl)
        _ = try await camunda { try await runtime.publish(message: message) }
        return CamundaPublishedMessage(key: try await keys.fresh(.message), tenantId: camundaDefaultTenant)
    }

    /// REST v2 message correlation: immediate (not buffered); the instance reached (a waiting
    /// one, else one started); `notFound` when nothing correlates.
    public func correlateMessage(
        name: String, correlationKey: String, variables: CamundaVariables,
        tenantId: String? = nil
    ) async throws -> CamundaCorrelatedMessage {
        guard !name.isEmpty else { throw CamundaError(.invalidArgument, "expected a message name") }
        let message = PublishedMessage(name: name, correlationKey: correlationKey, variables: variables, timeToLive: 0)
        let outcome = try await camunda { try await runtime.publish(message: message) }
        let instanceId: String
        switch outcome {
        case .correlated(let id): instanceId = id
        case .started(let ids) where !ids.isEmpty: instanceId = ids[0]
        default:
            throw CamundaError(
                .notFound,
                "no process instance waits for message '\(name)' with correlation key "
                    + "'\(correlationKey)' and no process starts with it")
        }
        let k = try await keys.keys([CamundaRef(.message, UUIDv7.make()), CamundaRef(.processInstance, instanceId)])
        return CamundaCorrelatedMessage(messageKey: k[0], tenantId: camundaDefaultTenant, processInstanceKey: k[1])
    }

    /// `BroadcastSignal`: every waiting signal catch continues and signal start events start.
    public func broadcastSignal(
        name: String, variables: CamundaVariables,
        tenantId: String? = nil
    ) async throws -> CamundaBroadcastSignal {
        guard !name.isEmpty else { throw CamundaError(.invalidArgument, "expected a signal name") }
        _ = try await camunda { try await runtime.broadcast(signal: name, variables: variables) }
        return CamundaBroadcastSignal(key: try await keys.fresh(.signal), tenantId: camundaDefaultTenant)
    }

    // MARK: incidents and decisions

    /// `ResolveIncident`: retries the failed element. A job incident (JOB_NO_RETRIES) needs
    /// retries > 0 first (`UpdateJobRetries`), else `failedPrecondition`, as Zeebe.
    public func resolveIncident(key: CamundaKey) async throws {
        let id = try await keys.id(key, .incident, what: "incident")
        guard let rec = try await camunda({ try await runtime.store.incident(id) }), rec.resolvedAt == nil else {
            throw CamundaError(.notFound, "no open incident with key \(key)")
        }
        if rec.incident.type == "job_no_retries" {
            let s = try await camunda { try await runtime.store.instance(rec.incident.instanceId) }
            let retries = s?.incidents.first { $0.id == id }?.retries ?? 0
            guard retries > 0 else {
                throw CamundaError(
                    .failedPrecondition,
                    "incident \(key) is of a job with no retries left: "
                        + "update the job's retries first")
            }
        }
        _ = try await camunda { try await runtime.retryIncident(id) }
    }

    /// `EvaluateDecision`: by `decisionId` (latest) or `decisionKey`, over the variables; the
    /// decisions evaluated (required ones first) with a table's inputs and matched rules; a
    /// failed evaluation answers with `failedDecisionId` and `failureMessage`.
    public func evaluateDecision(
        decisionId: String?, decisionKey: CamundaKey?,
        variables: CamundaVariables
    ) async throws -> CamundaDecisionEvaluation {
        var id = decisionId ?? ""
        if let decisionKey, decisionKey > 0 {
            let ref = try await keys.id(decisionKey, .decision, what: "decision")
            id = String(ref[..<(ref.lastIndex(of: "@") ?? ref.endIndex)])
        }
        guard !id.isEmpty else { throw CamundaError(.invalidArgument, "expected a decisionId or a decisionKey") }
        var latest: [String: DefinitionRecord] = [:]
        for d in try await camunda({ try await runtime.store.definitions() }) where d.id.hasPrefix("decision:") {
            if d.version > latest[d.id]?.version ?? 0 { latest[d.id] = d }
        }
        guard let rec = latest["decision:" + id] else {
            throw CamundaError(.notFound, "no decision with id '\(id)' is deployed")
        }
        let trace = try runtime.decisions.trace(id, inputs: variables)
        let evaluated = trace.decisions.map { ($0, latest["decision:" + $0.id]?.version ?? rec.version) }
        let drgVersion = evaluated.map(\.1).max() ?? rec.version
        let k = try await keys.keys(
            [
                CamundaRef(.decision, Self.definitionRef(id, rec.version)),
                CamundaRef(.decisionInstance, UUIDv7.make()),
                CamundaRef(.decisionRequirements, Self.definitionRef(trace.model, max(drgVersion, rec.version))),
            ] + evaluated.map { CamundaRef(.decision, Self.definitionRef($0.0.id, $0.1)) })
        return CamundaDecisionEvaluation(
            decisionKey: k[0], decisionId: id, decisionName: rec.name, decisionVersion: Int32(rec.version),
            decisionRequirementsId: trace.model, decisionRequirementsKey: k[2], decisionOutput: trace.result ?? .null,
            evaluatedDecisions: zip(evaluated, k.dropFirst(3)).map { Self.evaluated($0.0.0, $0.0.1, $0.1) },
            failedDecisionId: trace.failure == nil ? "" : trace.failedDecision ?? id,
            failureMessage: trace.failure?.message ?? "", tenantId: camundaDefaultTenant, decisionInstanceKey: k[1])
    }

    static func evaluated(_ d: EvaluatedDecision, _ version: Int, _ key: CamundaKey) -> CamundaEvaluatedDecision {
        CamundaEvaluatedDecision(
            decisionKey: key, decisionId: d.id, decisionName: d.name, decisionVersion: Int32(version),
            decisionType: d.type, decisionOutput: d.output,
            matchedRules: d.matchedRules.map { r in
                CamundaMatchedRule(
                    ruleId: r.id, ruleIndex: Int32(r.index),
                    evaluatedOutputs: r.outputs.map {
                        CamundaEvaluatedOutput(outputId: $0.id, outputName: $0.name, outputValue: $0.value)
                    })
            },
            evaluatedInputs: d.inputs.map {
                CamundaEvaluatedInput(inputId: $0.id, inputName: $0.name, inputValue: $0.value)
            },
            tenantId: camundaDefaultTenant)
    }
}
