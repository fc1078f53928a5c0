import BPMCamunda
import BPMExpressions
import Foundation
import GRPCCore

/// Zeebe's `gateway_protocol.Gateway` service over the Camunda facade: each RPC converts its
/// request, calls `CamundaGateway` (which holds Zeebe's semantics), and converts the answer;
/// failures become Zeebe's status codes (`ZeebeStatus`). Who may call what is checked by
/// `ZeebeAuthInterceptor` (roles) and, for job types, here (`ZeebeAccess`).
public struct ZeebeService: GatewayProtocol_Gateway.SimpleServiceProtocol {
    public let gateway: CamundaGateway
    /// The address `Topology` reports for the one broker (this server).
    public let advertisedHost: String
    public let advertisedPort: Int32

    public init(gateway: CamundaGateway, advertisedHost: String, advertisedPort: Int32) {
        self.gateway = gateway
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
    }

    // MARK: cluster and resources

    public func topology(request: GatewayProtocol_TopologyRequest,
                         context: ServerContext) async throws -> GatewayProtocol_TopologyResponse {
        ZeebeMessages.topology(gateway.topology(host: advertisedHost, port: advertisedPort))
    }

    public func deployResource(request: GatewayProtocol_DeployResourceRequest,
                               context: ServerContext) async throws -> GatewayProtocol_DeployResourceResponse {
        try await ZeebeStatus.answering {
            guard !request.resources.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "resources must not be empty")
            }
            let resources = request.resources.map { CamundaResource(name: $0.name, content: $0.content) }
            let deployed = try await gateway.deploy(resources: resources, tenantId: request.tenantID.nonEmpty)
            return ZeebeMessages.deployment(deployed)
        }
    }

    public func deployProcess(request: GatewayProtocol_DeployProcessRequest,
                              context: ServerContext) async throws -> GatewayProtocol_DeployProcessResponse {
        throw RPCError(code: .unimplemented,
                       message: "DeployProcess was removed from Zeebe (8.0); use DeployResource")
    }

    public func deleteResource(request: GatewayProtocol_DeleteResourceRequest,
                               context: ServerContext) async throws -> GatewayProtocol_DeleteResourceResponse {
        try await ZeebeStatus.answering {
            try await gateway.deleteResource(key: request.resourceKey)
            return GatewayProtocol_DeleteResourceResponse()
        }
    }

    public func evaluateDecision(request: GatewayProtocol_EvaluateDecisionRequest,
                                 context: ServerContext) async throws -> GatewayProtocol_EvaluateDecisionResponse {
        try await ZeebeStatus.answering {
            guard request.decisionKey > 0 || !request.decisionID.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "give decisionKey or decisionId")
            }
            let key = request.decisionKey > 0 ? request.decisionKey : nil
            let result = try await gateway.evaluateDecision(
                decisionId: request.decisionID.nonEmpty, decisionKey: key,
                variables: try ZeebeJSON.variables(request.variables))
            return ZeebeMessages.evaluation(result)
        }
    }

    // MARK: process instances

    public func createProcessInstance(
        request: GatewayProtocol_CreateProcessInstanceRequest, context: ServerContext
    ) async throws -> GatewayProtocol_CreateProcessInstanceResponse {
        try await ZeebeStatus.answering {
            ZeebeMessages.created(try await gateway.createInstance(try ZeebeMessages.create(request)))
        }
    }

    public func createProcessInstanceWithResult(
        request: GatewayProtocol_CreateProcessInstanceWithResultRequest, context: ServerContext
    ) async throws -> GatewayProtocol_CreateProcessInstanceWithResultResponse {
        try await ZeebeStatus.answering {
            let result = try await gateway.createInstanceWithResult(
                try ZeebeMessages.create(request.request), requestTimeout: request.requestTimeout,
                fetchVariables: request.fetchVariables)
            return ZeebeMessages.result(result)
        }
    }

    public func cancelProcessInstance(
        request: GatewayProtocol_CancelProcessInstanceRequest, context: ServerContext
    ) async throws -> GatewayProtocol_CancelProcessInstanceResponse {
        try await ZeebeStatus.answering {
            try await gateway.cancelInstance(key: request.processInstanceKey)
            return GatewayProtocol_CancelProcessInstanceResponse()
        }
    }

    public func setVariables(request: GatewayProtocol_SetVariablesRequest,
                             context: ServerContext) async throws -> GatewayProtocol_SetVariablesResponse {
        try await ZeebeStatus.answering {
            let variables = try ZeebeJSON.variables(request.variables)
            guard !variables.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "variables must be a non-empty JSON object")
            }
            var response = GatewayProtocol_SetVariablesResponse()
            response.key = try await gateway.setVariables(elementInstanceKey: request.elementInstanceKey,
                                                          variables: variables, local: request.local)
            return response
        }
    }

    public func modifyProcessInstance(
        request: GatewayProtocol_ModifyProcessInstanceRequest, context: ServerContext
    ) async throws -> GatewayProtocol_ModifyProcessInstanceResponse {
        try await ZeebeStatus.answering {
            let activate = try request.activateInstructions.map(ZeebeMessages.activation)
            try await gateway.modifyInstance(key: request.processInstanceKey, activate: activate,
                                             terminate: request.terminateInstructions.map(\.elementInstanceKey))
            return GatewayProtocol_ModifyProcessInstanceResponse()
        }
    }

    public func migrateProcessInstance(
        request: GatewayProtocol_MigrateProcessInstanceRequest, context: ServerContext
    ) async throws -> GatewayProtocol_MigrateProcessInstanceResponse {
        try await ZeebeStatus.answering {
            guard request.hasMigrationPlan else {
                throw RPCError(code: .invalidArgument, message: "migrationPlan is required")
            }
            let plan = request.migrationPlan
            let mappings = plan.mappingInstructions.map {
                CamundaMappingInstruction(sourceElementId: $0.sourceElementID, targetElementId: $0.targetElementID)
            }
            try await gateway.migrateInstance(key: request.processInstanceKey,
                                              targetProcessDefinitionKey: plan.targetProcessDefinitionKey,
                                              mappings: mappings)
            return GatewayProtocol_MigrateProcessInstanceResponse()
        }
    }

    public func resolveIncident(request: GatewayProtocol_ResolveIncidentRequest,
                                context: ServerContext) async throws -> GatewayProtocol_ResolveIncidentResponse {
        try await ZeebeStatus.answering {
            try await gateway.resolveIncident(key: request.incidentKey)
            return GatewayProtocol_ResolveIncidentResponse()
        }
    }

    // MARK: messages and signals

    public func publishMessage(request: GatewayProtocol_PublishMessageRequest,
                               context: ServerContext) async throws -> GatewayProtocol_PublishMessageResponse {
        try await ZeebeStatus.answering {
            guard !request.name.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "name must not be empty")
            }
            guard request.timeToLive >= 0 else {
                throw RPCError(code: .invalidArgument, message: "timeToLive must not be negative")
            }
            let published = try await gateway.publishMessage(CamundaPublishMessage(
                name: request.name, correlationKey: request.correlationKey, timeToLive: request.timeToLive,
                messageId: request.messageID, variables: try ZeebeJSON.variables(request.variables),
                tenantId: request.tenantID.nonEmpty))
            var response = GatewayProtocol_PublishMessageResponse()
            response.key = published.key
            response.tenantID = published.tenantId
            return response
        }
    }

    public func broadcastSignal(request: GatewayProtocol_BroadcastSignalRequest,
                                context: ServerContext) async throws -> GatewayProtocol_BroadcastSignalResponse {
        try await ZeebeStatus.answering {
            guard !request.signalName.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "signalName must not be empty")
            }
            let signal = try await gateway.broadcastSignal(name: request.signalName,
                                                           variables: try ZeebeJSON.variables(request.variables),
                                                           tenantId: request.tenantID.nonEmpty)
            var response = GatewayProtocol_BroadcastSignalResponse()
            response.key = signal.key
            response.tenantID = signal.tenantId
            return response
        }
    }
}

extension String {
    /// nil for the empty string (proto3's "not set").
    var nonEmpty: String? { isEmpty ? nil : self }
}
