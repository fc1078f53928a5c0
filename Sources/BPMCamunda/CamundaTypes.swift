import BPMExpressions
import Foundation

/// A Zeebe key: an int64 (JSON carries it as a decimal string), `(1 << 51) + sequence` with
/// partition 1 in the upper bits, as Zeebe shapes them (see docs/camunda.md, "Keys").
public typealias CamundaKey = Int64

/// Variables as Camunda passes them: a JSON object (gRPC: a JSON document in a string field).
public typealias CamundaVariables = [String: Value]

/// The tenant every object belongs to: the engine is single-tenant, as Zeebe without multi-tenancy.
public let camundaDefaultTenant = "<default>"

// MARK: topology

/// `Topology`: one broker with one partition, which it leads.
public struct CamundaTopology: Sendable, Equatable {
    public var brokers: [CamundaBroker]
    public var clusterSize: Int32
    public var partitionsCount: Int32
    public var replicationFactor: Int32
    /// The gateway's version (our engine's version).
    public var gatewayVersion: String
}

public struct CamundaBroker: Sendable, Equatable {
    public var nodeId: Int32
    public var host: String
    public var port: Int32
    public var partitions: [CamundaPartition]
    public var version: String
}

public struct CamundaPartition: Sendable, Equatable {
    public enum Role: String, Sendable { case leader = "LEADER", follower = "FOLLOWER", inactive = "INACTIVE" }
    public enum Health: String, Sendable { case healthy = "HEALTHY", unhealthy = "UNHEALTHY", dead = "DEAD" }
    public var partitionId: Int32
    public var role: Role
    public var health: Health
}

// MARK: deployment

/// One resource of a `DeployResource` request: a `.bpmn`, `.dmn` or `.form` file.
public struct CamundaResource: Sendable {
    public var name: String
    public var content: Data

    public init(name: String, content: Data) {
        self.name = name
        self.content = content
    }
}

/// `DeployResourceResponse`: the deployment's key and what each resource deployed.
public struct CamundaDeployment: Sendable, Equatable {
    public var key: CamundaKey
    public var tenantId: String
    public var processes: [CamundaProcessMetadata]
    public var decisions: [CamundaDecisionMetadata]
    public var decisionRequirements: [CamundaDecisionRequirementsMetadata]
    public var forms: [CamundaFormMetadata]
}

public struct CamundaProcessMetadata: Sendable, Equatable {
    public var bpmnProcessId: String
    public var version: Int32
    public var processDefinitionKey: CamundaKey
    public var resourceName: String
    public var tenantId: String
}

public struct CamundaDecisionMetadata: Sendable, Equatable {
    public var dmnDecisionId: String
    public var dmnDecisionName: String
    public var version: Int32
    public var decisionKey: CamundaKey
    public var dmnDecisionRequirementsId: String
    public var decisionRequirementsKey: CamundaKey
    public var tenantId: String
}

public struct CamundaDecisionRequirementsMetadata: Sendable, Equatable {
    public var dmnDecisionRequirementsId: String
    public var dmnDecisionRequirementsName: String
    public var version: Int32
    public var decisionRequirementsKey: CamundaKey
    public var resourceName: String
    public var tenantId: String
}

public struct CamundaFormMetadata: Sendable, Equatable {
    public var formId: String
    public var version: Int32
    public var formKey: CamundaKey
    public var resourceName: String
    public var tenantId: String
}

// MARK: process instances

/// `CreateProcessInstanceRequest`: by `bpmnProcessId` (with `version`, -1 the latest) or by
/// `processDefinitionKey` (which names one version).
public struct CamundaCreateInstance: Sendable {
    public var bpmnProcessId: String?
    public var processDefinitionKey: CamundaKey?
    /// -1: the latest version.
    public var version: Int32
    public var variables: CamundaVariables
    /// Element ids to start at instead of the none start event (`startInstructions[].elementId`).
    public var startInstructions: [String]
    public var tenantId: String?

    public init(bpmnProcessId: String? = nil, processDefinitionKey: CamundaKey? = nil, version: Int32 = -1,
                variables: CamundaVariables = [:], startInstructions: [String] = [], tenantId: String? = nil)
    {
        self.bpmnProcessId = bpmnProcessId
        self.processDefinitionKey = processDefinitionKey
        self.version = version
        self.variables = variables
        self.startInstructions = startInstructions
        self.tenantId = tenantId
    }
}

/// `CreateProcessInstanceResponse`.
public struct CamundaCreatedInstance: Sendable, Equatable {
    public var processDefinitionKey: CamundaKey
    public var bpmnProcessId: String
    public var version: Int32
    public var processInstanceKey: CamundaKey
    public var tenantId: String
}

/// `CreateProcessInstanceWithResultResponse`: the instance and its variables at completion.
public struct CamundaInstanceResult: Sendable, Equatable {
    public var instance: CamundaCreatedInstance
    public var variables: CamundaVariables
}

/// One `activateElements` instruction of `ModifyProcessInstance`.
public struct CamundaActivateInstruction: Sendable {
    public var elementId: String
    /// The flow scope instance to activate in (nil or -1: the process instance / found by id).
    public var ancestorElementInstanceKey: CamundaKey?
    /// Variables by the id of the scope element they are set on ("" or nil: the element's flow scope).
    public var variables: [(scopeId: String?, variables: CamundaVariables)]

    public init(elementId: String, ancestorElementInstanceKey: CamundaKey? = nil,
                variables: [(scopeId: String?, variables: CamundaVariables)] = [])
    {
        self.elementId = elementId
        self.ancestorElementInstanceKey = ancestorElementInstanceKey
        self.variables = variables
    }
}

/// One `mappingInstructions` entry of `MigrateProcessInstance`.
public struct CamundaMappingInstruction: Sendable, Equatable {
    public var sourceElementId: String
    public var targetElementId: String

    public init(sourceElementId: String, targetElementId: String) {
        self.sourceElementId = sourceElementId
        self.targetElementId = targetElementId
    }
}
