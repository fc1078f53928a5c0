import BPMCamunda
import BPMExpressions
import BPMServer
import Foundation

/// Messages, signals, decisions, incidents and variables.
extension V2Handler {
    func publishMessage(_ input: Operations.PublishMessage.Input) async throws -> Operations.PublishMessage.Output {
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard !b.name.isEmpty else { throw V2Problem.invalid("name must not be empty") }
        if let ttl = b.timeToLive, ttl < 0 { throw V2Problem.invalid("timeToLive must not be negative") }
        let m = try await gateway.publishMessage(CamundaPublishMessage(
            name: b.name, correlationKey: b.correlationKey ?? "", timeToLive: b.timeToLive ?? 0,
            messageId: b.messageId ?? "", variables: try V2.variables(b.variables?.additionalProperties),
            tenantId: b.tenantId))
        return .ok(.init(body: .json(.init(tenantId: m.tenantId, messageKey: V2.string(m.key)))))
    }

    func correlateMessage(_ input: Operations.CorrelateMessage.Input) async throws
        -> Operations.CorrelateMessage.Output
    {
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard !b.name.isEmpty else { throw V2Problem.invalid("name must not be empty") }
        let m = try await gateway.correlateMessage(name: b.name, correlationKey: b.correlationKey ?? "",
                                                   variables: try V2.variables(b.variables?.additionalProperties),
                                                   tenantId: b.tenantId)
        return .ok(.init(body: .json(.init(tenantId: m.tenantId, messageKey: V2.string(m.messageKey),
                                           processInstanceKey: V2.string(m.processInstanceKey)))))
    }

    func broadcastSignal(_ input: Operations.BroadcastSignal.Input) async throws -> Operations.BroadcastSignal.Output {
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        guard !b.signalName.isEmpty else { throw V2Problem.invalid("signalName must not be empty") }
        let s = try await gateway.broadcastSignal(name: b.signalName,
                                                  variables: try V2.variables(b.variables?.additionalProperties),
                                                  tenantId: b.tenantId)
        return .ok(.init(body: .json(.init(tenantId: s.tenantId, signalKey: V2.string(s.key)))))
    }

    // MARK: decisions

    func evaluateDecision(_ input: Operations.EvaluateDecision.Input) async throws
        -> Operations.EvaluateDecision.Output
    {
        guard case .json(let b) = input.body else { throw V2Problem.invalid("send application/json") }
        let key = try V2.optionalKey(b.decisionDefinitionKey, "decisionDefinitionKey")
        guard (b.decisionDefinitionId == nil) != (key == nil) else {
            throw V2Problem.invalid("name the decision by decisionDefinitionId or decisionDefinitionKey (one of them)")
        }
        let e = try await gateway.evaluateDecision(decisionId: b.decisionDefinitionId, decisionKey: key,
                                                   variables: try V2.variables(b.variables?.additionalProperties))
        return .ok(.init(body: .json(Self.evaluation(e))))
    }

    static func evaluation(_ e: CamundaDecisionEvaluation) -> Components.Schemas.EvaluateDecisionResult {
        let evaluated = e.evaluatedDecisions.enumerated().map { n, d in
            Components.Schemas.EvaluatedDecisionResult(
                decisionDefinitionId: d.decisionId, decisionDefinitionName: d.decisionName,
                decisionDefinitionVersion: d.decisionVersion, decisionDefinitionType: d.decisionType,
                output: V2.json(d.decisionOutput), tenantId: d.tenantId,
                matchedRules: d.matchedRules.map { r in
                    .init(ruleId: r.ruleId, ruleIndex: r.ruleIndex, evaluatedOutputs: r.evaluatedOutputs.map { o in
                        .init(outputId: o.outputId, outputName: o.outputName, outputValue: V2.json(o.outputValue),
                              ruleId: V2.nullable(r.ruleId), ruleIndex: .init(integerLiteral: Int(r.ruleIndex)))
                    })
                },
                evaluatedInputs: d.evaluatedInputs.map {
                    .init(inputId: $0.inputId, inputName: $0.inputName, inputValue: V2.json($0.inputValue))
                },
                decisionDefinitionKey: V2.string(d.decisionKey),
                decisionEvaluationInstanceKey: "\(e.decisionInstanceKey)-\(n + 1)")
        }
        return .init(decisionDefinitionId: e.decisionId, decisionDefinitionKey: V2.string(e.decisionKey),
                     decisionDefinitionName: e.decisionName, decisionDefinitionVersion: e.decisionVersion,
                     decisionEvaluationKey: V2.string(e.decisionInstanceKey),
                     decisionInstanceKey: V2.string(e.decisionInstanceKey),
                     decisionRequirementsId: e.decisionRequirementsId,
                     decisionRequirementsKey: V2.string(e.decisionRequirementsKey), evaluatedDecisions: evaluated,
                     failedDecisionDefinitionId: e.failedDecisionId.isEmpty ? nil : V2.nullable(e.failedDecisionId),
                     failureMessage: e.failureMessage.isEmpty ? nil : V2.nullable(e.failureMessage),
                     output: V2.json(e.decisionOutput), tenantId: e.tenantId)
    }

    // MARK: incidents

    func searchIncidents(_ input: Operations.SearchIncidents.Input) async throws -> Operations.SearchIncidents.Output {
        var query = Components.Schemas.IncidentSearchQuery()
        if case .json(let q) = input.body { query = q }
        let (sort, page) = try V2Search.sortAndPage(query.sort, query.page)
        var filter = CamundaIncidentFilter()
        if let f = query.filter { filter.conditions = try V2.conditions {
            filter.incidentKey = try V2.filterKey(f.incidentKey, "incidentKey")
            filter.processInstanceKey = try V2.filterKey(f.processInstanceKey, "processInstanceKey")
            filter.processDefinitionKey = try V2.filterKey(f.processDefinitionKey, "processDefinitionKey")
            filter.processDefinitionId = try V2.filterString(f.processDefinitionId, "processDefinitionId")
            filter.errorType = try V2.filterString(f.errorType, "errorType")
            filter.elementId = try V2.filterString(f.elementId, "elementId")
            filter.state = try V2.filterEnum(f.state, "state", CamundaIncidentState.self)
            filter.jobKey = try V2.filterKey(f.jobKey, "jobKey")
            filter.tenantId = try V2.filterString(f.tenantId, "tenantId")
        } }
        let r = try await gateway.searchIncidents(filter, sort: sort, page: page)
        let items = r.items.map { i in
            Components.Schemas.IncidentResult(
                processDefinitionId: i.processDefinitionId, errorType: i.errorType, errorMessage: i.errorMessage,
                elementId: i.elementId, creationTime: i.creationTime,
                state: .init(rawValue: i.state.rawValue) ?? .active,
                tenantId: i.tenantId, incidentKey: V2.string(i.incidentKey),
                processDefinitionKey: V2.string(i.processDefinitionKey),
                processInstanceKey: V2.string(i.processInstanceKey),
                rootProcessInstanceKey: V2.nullable(i.processInstanceKey),
                elementInstanceKey: V2.string(i.elementInstanceKey), jobKey: V2.nullable(i.jobKey))
        }
        return .ok(.init(body: .json(.init(items: items, page: V2Search.page(r.totalItems, page, count: items.count)))))
    }

    func resolveIncident(_ input: Operations.ResolveIncident.Input) async throws -> Operations.ResolveIncident.Output {
        try await gateway.resolveIncident(key: V2.key(input.path.incidentKey, "incidentKey"))
        return .noContent(.init())
    }

    // MARK: variables

    func searchVariables(_ input: Operations.SearchVariables.Input) async throws -> Operations.SearchVariables.Output {
        var query = Components.Schemas.VariableSearchQuery()
        if case .json(let q) = input.body { query = q }
        let (sort, page) = try V2Search.sortAndPage(query.sort, query.page)
        var filter = CamundaVariableFilter()
        if let f = query.filter { filter.conditions = try V2.conditions {
            filter.variableKey = try V2.filterKey(f.variableKey, "variableKey")
            filter.name = try V2.filterString(f.name, "name")
            filter.processInstanceKey = try V2.filterKey(f.processInstanceKey, "processInstanceKey")
            filter.scopeKey = try V2.filterKey(f.scopeKey, "scopeKey")
            filter.tenantId = try V2.filterString(f.tenantId, "tenantId")
        } }
        let r = try await gateway.searchVariables(filter, sort: sort, page: page)
        let items = r.items.map { v in
            Components.Schemas.VariableSearchResult(
                value: v.value, isTruncated: v.isTruncated, name: v.name, tenantId: v.tenantId,
                variableKey: V2.string(v.variableKey), scopeKey: V2.string(v.scopeKey),
                processInstanceKey: V2.string(v.processInstanceKey),
                rootProcessInstanceKey: V2.nullable(v.processInstanceKey))
        }
        return .ok(.init(body: .json(.init(items: items, page: V2Search.page(r.totalItems, page, count: items.count)))))
    }
}
