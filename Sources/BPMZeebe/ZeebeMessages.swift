import BPMCamunda
import BPMEngine
import BPMExpressions
import Foundation
import GRPCCore

/// Conversions between the generated protocol messages and the facade's types.
enum ZeebeMessages {
    static func topology(_ t: CamundaTopology) -> GatewayProtocol_TopologyResponse {
        var out = GatewayProtocol_TopologyResponse()
        out.clusterSize = t.clusterSize
        out.partitionsCount = t.partitionsCount
        out.replicationFactor = t.replicationFactor
        out.gatewayVersion = t.gatewayVersion
        out.brokers = t.brokers.map { b in
            var broker = GatewayProtocol_BrokerInfo()
            broker.nodeID = b.nodeId
            broker.host = b.host
            broker.port = b.port
            broker.version = b.version
            broker.partitions = b.partitions.map { p in
                var partition = GatewayProtocol_Partition()
                partition.partitionID = p.partitionId
                partition.role = switch p.role {
                case .leader: .leader
                case .follower: .follower
                case .inactive: .inactive
                }
                partition.health = switch p.health {
                case .healthy: .healthy
                case .unhealthy: .unhealthy
                case .dead: .dead
                }
                return partition
            }
            return broker
        }
        return out
    }

    static func deployment(_ d: CamundaDeployment) -> GatewayProtocol_DeployResourceResponse {
        var out = GatewayProtocol_DeployResourceResponse()
        out.key = d.key
        out.tenantID = d.tenantId
        for p in d.processes {
            var m = GatewayProtocol_ProcessMetadata()
            m.bpmnProcessID = p.bpmnProcessId
            m.version = p.version
            m.processDefinitionKey = p.processDefinitionKey
            m.resourceName = p.resourceName
            m.tenantID = p.tenantId
            out.deployments.append(.with { $0.process = m })
        }
        for r in d.decisionRequirements {
            var m = GatewayProtocol_DecisionRequirementsMetadata()
            m.dmnDecisionRequirementsID = r.dmnDecisionRequirementsId
            m.dmnDecisionRequirementsName = r.dmnDecisionRequirementsName
            m.version = r.version
            m.decisionRequirementsKey = r.decisionRequirementsKey
            m.resourceName = r.resourceName
            m.tenantID = r.tenantId
            out.deployments.append(.with { $0.decisionRequirements = m })
        }
        for x in d.decisions {
            var m = GatewayProtocol_DecisionMetadata()
            m.dmnDecisionID = x.dmnDecisionId
            m.dmnDecisionName = x.dmnDecisionName
            m.version = x.version
            m.decisionKey = x.decisionKey
            m.dmnDecisionRequirementsID = x.dmnDecisionRequirementsId
            m.decisionRequirementsKey = x.decisionRequirementsKey
            m.tenantID = x.tenantId
            out.deployments.append(.with { $0.decision = m })
        }
        for f in d.forms {
            var m = GatewayProtocol_FormMetadata()
            m.formID = f.formId
            m.version = f.version
            m.formKey = f.formKey
            m.resourceName = f.resourceName
            m.tenantID = f.tenantId
            out.deployments.append(.with { $0.form = m })
        }
        return out
    }

    static func create(_ r: GatewayProtocol_CreateProcessInstanceRequest) throws -> CamundaCreateInstance {
        guard r.processDefinitionKey > 0 || !r.bpmnProcessID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "give processDefinitionKey or bpmnProcessId")
        }
        return CamundaCreateInstance(
            bpmnProcessId: r.processDefinitionKey > 0 ? nil : r.bpmnProcessID,
            processDefinitionKey: r.processDefinitionKey > 0 ? r.processDefinitionKey : nil,
            version: r.version > 0 ? r.version : -1,
            variables: try ZeebeJSON.variables(r.variables),
            startInstructions: r.startInstructions.map(\.elementID),
            tenantId: r.tenantID.nonEmpty)
    }

    static func created(_ c: CamundaCreatedInstance) -> GatewayProtocol_CreateProcessInstanceResponse {
        var out = GatewayProtocol_CreateProcessInstanceResponse()
        out.processDefinitionKey = c.processDefinitionKey
        out.bpmnProcessID = c.bpmnProcessId
        out.version = c.version
        out.processInstanceKey = c.processInstanceKey
        out.tenantID = c.tenantId
        return out
    }

    static func result(_ r: CamundaInstanceResult) -> GatewayProtocol_CreateProcessInstanceWithResultResponse {
        var out = GatewayProtocol_CreateProcessInstanceWithResultResponse()
        out.processDefinitionKey = r.instance.processDefinitionKey
        out.bpmnProcessID = r.instance.bpmnProcessId
        out.version = r.instance.version
        out.processInstanceKey = r.instance.processInstanceKey
        out.tenantID = r.instance.tenantId
        out.variables = ZeebeJSON.encode(r.variables)
        return out
    }

    static func activation(
        _ a: GatewayProtocol_ModifyProcessInstanceRequest.ActivateInstruction
    ) throws -> CamundaActivateInstruction {
        guard !a.elementID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "activateInstructions[].elementId must not be empty")
        }
        let variables = try a.variableInstructions.map { v in
            (scopeId: v.scopeID.nonEmpty, variables: try ZeebeJSON.variables(v.variables))
        }
        return CamundaActivateInstruction(
            elementId: a.elementID,
            ancestorElementInstanceKey: a.ancestorElementInstanceKey > 0 ? a.ancestorElementInstanceKey : nil,
            variables: variables)
    }

    static func job(_ j: CamundaActivatedJob) -> GatewayProtocol_ActivatedJob {
        var out = GatewayProtocol_ActivatedJob()
        out.key = j.key
        out.type = j.type
        out.processInstanceKey = j.processInstanceKey
        out.bpmnProcessID = j.bpmnProcessId
        out.processDefinitionVersion = j.processDefinitionVersion
        out.processDefinitionKey = j.processDefinitionKey
        out.elementID = j.elementId
        out.elementInstanceKey = j.elementInstanceKey
        out.customHeaders = ZeebeJSON.encode(j.customHeaders)
        out.worker = j.worker
        out.retries = j.retries
        out.deadline = j.deadline
        out.variables = ZeebeJSON.encode(j.variables)
        out.tenantID = j.tenantId
        out.kind = jobKinds.firstIndex(of: j.kind).flatMap { GatewayProtocol_JobKind(rawValue: $0) } ?? .bpmnElement
        out.listenerEventType =
            listenerEvents.firstIndex(of: j.listenerEventType)
            .flatMap { GatewayProtocol_ListenerEventType(rawValue: $0) }
            ?? .unspecified
        return out
    }

    /// `JobKind` and `ListenerEventType` names by their numbers in gateway.proto.
    static let jobKinds = ["BPMN_ELEMENT", "EXECUTION_LISTENER", "TASK_LISTENER", "AD_HOC_SUB_PROCESS"]
    static let listenerEvents = [
        "UNSPECIFIED", "START", "END", "CREATING", "ASSIGNING", "UPDATING", "COMPLETING", "CANCELING",
    ]

    /// A `JobResult` for a user task (nil when the request has none); another `type` is refused.
    static func result(_ r: GatewayProtocol_CompleteJobRequest) throws -> UserTaskJobResult? {
        guard r.hasResult else { return nil }
        let res = r.result
        if res.hasType, res.type != "userTask" {
            throw RPCError(code: .invalidArgument, message: "job result type '\(res.type)' is not supported "
                + "(userTask is)")
        }
        var out = UserTaskJobResult(denied: res.denied, deniedReason: res.hasDeniedReason ? res.deniedReason : nil)
        guard res.hasCorrections else { return out }
        let c = res.corrections
        if c.hasAssignee { out.corrections["assignee"] = .string(c.assignee) }
        if c.hasDueDate { out.corrections["dueDate"] = .string(c.dueDate) }
        if c.hasFollowUpDate { out.corrections["followUpDate"] = .string(c.followUpDate) }
        if c.hasCandidateUsers { out.corrections["candidateUsers"] = .list(c.candidateUsers.values.map(Value.string)) }
        if c.hasCandidateGroups {
            out.corrections["candidateGroups"] = .list(c.candidateGroups.values.map(Value.string))
        }
        if c.hasPriority { out.corrections["priority"] = .number(Double(c.priority)) }
        return out
    }

    static func evaluation(_ e: CamundaDecisionEvaluation) -> GatewayProtocol_EvaluateDecisionResponse {
        var out = GatewayProtocol_EvaluateDecisionResponse()
        out.decisionKey = e.decisionKey
        out.decisionID = e.decisionId
        out.decisionName = e.decisionName
        out.decisionVersion = e.decisionVersion
        out.decisionRequirementsID = e.decisionRequirementsId
        out.decisionRequirementsKey = e.decisionRequirementsKey
        out.decisionOutput = ZeebeJSON.encode(e.decisionOutput)
        out.failedDecisionID = e.failedDecisionId
        out.failureMessage = e.failureMessage
        out.tenantID = e.tenantId
        out.decisionInstanceKey = e.decisionInstanceKey
        out.evaluatedDecisions = e.evaluatedDecisions.map(evaluated)
        return out
    }

    static func evaluated(_ d: CamundaEvaluatedDecision) -> GatewayProtocol_EvaluatedDecision {
        var out = GatewayProtocol_EvaluatedDecision()
        out.decisionKey = d.decisionKey
        out.decisionID = d.decisionId
        out.decisionName = d.decisionName
        out.decisionVersion = d.decisionVersion
        out.decisionType = d.decisionType
        out.decisionOutput = ZeebeJSON.encode(d.decisionOutput)
        out.tenantID = d.tenantId
        out.evaluatedInputs = d.evaluatedInputs.map { i in
            .with {
                $0.inputID = i.inputId
                $0.inputName = i.inputName
                $0.inputValue = ZeebeJSON.encode(i.inputValue)
            }
        }
        out.matchedRules = d.matchedRules.map { r in
            .with {
                $0.ruleID = r.ruleId
                $0.ruleIndex = r.ruleIndex
                $0.evaluatedOutputs = r.evaluatedOutputs.map { o in
                    .with {
                        $0.outputID = o.outputId
                        $0.outputName = o.outputName
                        $0.outputValue = ZeebeJSON.encode(o.outputValue)
                    }
                }
            }
        }
        return out
    }
}
