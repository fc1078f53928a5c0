import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// Camunda 8's operations over our `Runtime`, with Zeebe's semantics: what both protocol
/// adapters (the Zeebe gRPC gateway and the Orchestration Cluster REST API v2) call. Every
/// method throws only `CamundaError` (other failures are wrapped as `.internal`, store
/// unavailability as `.resourceExhausted`). Times are milliseconds, as in Zeebe's protocol.
public final class CamundaGateway: Sendable {
    public let runtime: Runtime
    /// Our ids ↔ Zeebe's int64 keys (durable, see docs/camunda.md "Keys").
    public let keys: CamundaKeys
    /// The version `topology()` reports for the broker and the gateway.
    public let version: String

    public init(runtime: Runtime, version: String = "8.7.0") {
        self.runtime = runtime
        self.keys = CamundaKeys(store: runtime.store)
        self.version = version
    }

    // MARK: cluster

    /// `Topology`: one broker (node 0) at `host:port`, leading partition 1, healthy;
    /// cluster size, partitions count and replication factor 1.
    public func topology(host: String, port: Int32) -> CamundaTopology {
        let partition = CamundaPartition(partitionId: 1, role: .leader, health: .healthy)
        let broker = CamundaBroker(nodeId: 0, host: host, port: port, partitions: [partition], version: version)
        return CamundaTopology(brokers: [broker], clusterSize: 1, partitionsCount: 1, replicationFactor: 1,
                               gatewayVersion: version)
    }

    // MARK: deployment

    /// `DeployResource`: deploys every resource together (nothing when one is bad: its
    /// definition errors, `file:line:col: message`, as `invalidArgument`). `.bpmn` (and our
    /// `.yaml`) processes, `.dmn` decisions (one decision requirements graph per file) and
    /// `.form` JSON forms (kept, returned with their formKey, linked by `zeebe:formDefinition
    /// formId`). Identical content keeps its version and key, as Zeebe does.
    public func deploy(resources: [CamundaResource], tenantId: String? = nil) async throws -> CamundaDeployment {
        throw CamundaError(.unimplemented, "DeployResource is not implemented yet")
    }

    /// `DeleteResource`: a process definition (no new instances; running ones go on), a
    /// decision requirements graph or a form, by key; `notFound` for an unknown key.
    public func deleteResource(key: CamundaKey) async throws {
        throw CamundaError(.unimplemented, "DeleteResource is not implemented yet")
    }

    // MARK: process instances

    /// `CreateProcessInstance`: starts an instance (at its none start event, or at
    /// `startInstructions`); `notFound` when no such process (or version) is deployed,
    /// `invalidArgument` for a start instruction that names no element.
    public func createInstance(_ request: CamundaCreateInstance) async throws -> CamundaCreatedInstance {
        throw CamundaError(.unimplemented, "CreateProcessInstance is not implemented yet")
    }

    /// `CreateProcessInstanceWithResult`: starts an instance and answers once it completes,
    /// with its variables (only `fetchVariables` when given); `deadlineExceeded` when it does
    /// not complete within `requestTimeout` ms (0: the gateway's default, 10 s) — the
    /// instance goes on.
    public func createInstanceWithResult(_ request: CamundaCreateInstance, requestTimeout: Int64,
                                         fetchVariables: [String] = []) async throws -> CamundaInstanceResult
    {
        throw CamundaError(.unimplemented, "CreateProcessInstanceWithResult is not implemented yet")
    }

    /// `CancelProcessInstance`: terminates a running instance; `notFound` when there is no
    /// active instance with the key.
    public func cancelInstance(key: CamundaKey) async throws {
        throw CamundaError(.unimplemented, "CancelProcessInstance is not implemented yet")
    }

    /// `ModifyProcessInstance`: activates elements (with variables on scopes) and terminates
    /// element instances; `invalidArgument` for unknown elements, `notFound` for unknown keys.
    public func modifyInstance(key: CamundaKey, activate: [CamundaActivateInstruction],
                               terminate: [CamundaKey]) async throws
    {
        throw CamundaError(.unimplemented, "ModifyProcessInstance is not implemented yet")
    }

    /// `MigrateProcessInstance`: moves the instance to another version of its process, each
    /// active element to its mapping's target (elements not mapped keep their id);
    /// `failedPrecondition` when an element cannot be mapped.
    public func migrateInstance(key: CamundaKey, targetProcessDefinitionKey: CamundaKey,
                                mappings: [CamundaMappingInstruction]) async throws
    {
        throw CamundaError(.unimplemented, "MigrateProcessInstance is not implemented yet")
    }

    /// `SetVariables`: on the scope of an element instance (or the process instance's key).
    /// `local`: all set on that scope; otherwise each goes to the innermost scope that already
    /// defines it, else to the process instance (Zeebe's propagation). Returns the command's key.
    public func setVariables(elementInstanceKey: CamundaKey, variables: CamundaVariables,
                             local: Bool) async throws -> CamundaKey
    {
        throw CamundaError(.unimplemented, "SetVariables is not implemented yet")
    }

    // MARK: jobs

    /// `ActivateJobs`: locks up to `maxJobsToActivate` jobs of the type for `timeout` ms,
    /// waiting up to `requestTimeout` ms for the first (long polling).
    public func activateJobs(_ request: CamundaActivateJobs) async throws -> [CamundaActivatedJob] {
        throw CamundaError(.unimplemented, "ActivateJobs is not implemented yet")
    }

    /// `StreamActivatedJobs`: jobs of the type pushed to the worker as they are created,
    /// each locked for `timeout` ms, until the stream's consumer stops (cancels) it.
    public func streamJobs(_ request: CamundaActivateJobs) -> AsyncThrowingStream<CamundaActivatedJob, any Error> {
        AsyncThrowingStream { $0.finish(throwing: CamundaError(.unimplemented, "job streams are not implemented yet")) }
    }

    /// `CompleteJob`: completes an activated job with variables (merged as the job's
    /// output); `notFound` for an unknown (or already completed) job.
    public func completeJob(key: CamundaKey, variables: CamundaVariables) async throws {
        throw CamundaError(.unimplemented, "CompleteJob is not implemented yet")
    }

    /// `FailJob`: see `CamundaFailJob` (retries 0: incident JOB_NO_RETRIES with the message;
    /// more: activatable again after `retryBackOff` ms).
    public func failJob(_ request: CamundaFailJob) async throws {
        throw CamundaError(.unimplemented, "FailJob is not implemented yet")
    }

    /// `ThrowError`: a BPMN error from the job's element, caught by the nearest boundary
    /// event or event sub-process for the code (with the variables); uncaught, an incident
    /// UNHANDLED_ERROR_EVENT as Zeebe raises.
    public func throwError(_ request: CamundaThrowError) async throws {
        throw CamundaError(.unimplemented, "ThrowError is not implemented yet")
    }

    /// `UpdateJobRetries`: sets the retries left (≥ 1 makes a job incident resolvable).
    public func updateJobRetries(key: CamundaKey, retries: Int32) async throws {
        throw CamundaError(.unimplemented, "UpdateJobRetries is not implemented yet")
    }

    /// `UpdateJobTimeout`: an activated job's lock runs out `timeout` ms from now.
    public func updateJobTimeout(key: CamundaKey, timeout: Int64) async throws {
        throw CamundaError(.unimplemented, "UpdateJobTimeout is not implemented yet")
    }

    // MARK: messages and signals

    /// `PublishMessage`: correlates to the oldest subscription of the name and correlation
    /// key, starts message start events, and is buffered `timeToLive` ms for instances that
    /// start waiting later; the same `messageId` while buffered → `alreadyExists`.
    public func publishMessage(_ request: CamundaPublishMessage) async throws -> CamundaPublishedMessage {
        throw CamundaError(.unimplemented, "PublishMessage is not implemented yet")
    }

    /// REST v2 message correlation: immediate (not buffered); the instance reached (a waiting
    /// one, else one started); `notFound` when nothing correlates.
    public func correlateMessage(name: String, correlationKey: String, variables: CamundaVariables,
                                 tenantId: String? = nil) async throws -> CamundaCorrelatedMessage
    {
        throw CamundaError(.unimplemented, "message correlation is not implemented yet")
    }

    /// `BroadcastSignal`: every waiting signal catch continues and signal start events start.
    public func broadcastSignal(name: String, variables: CamundaVariables,
                                tenantId: String? = nil) async throws -> CamundaBroadcastSignal
    {
        throw CamundaError(.unimplemented, "BroadcastSignal is not implemented yet")
    }

    // MARK: incidents and decisions

    /// `ResolveIncident`: retries the failed element. A job incident (JOB_NO_RETRIES) needs
    /// retries > 0 first (`UpdateJobRetries`), else `failedPrecondition`, as Zeebe.
    public func resolveIncident(key: CamundaKey) async throws {
        throw CamundaError(.unimplemented, "ResolveIncident is not implemented yet")
    }

    /// `EvaluateDecision`: by `decisionId` (latest) or `decisionKey`, over the variables.
    public func evaluateDecision(decisionId: String?, decisionKey: CamundaKey?,
                                 variables: CamundaVariables) async throws -> CamundaDecisionEvaluation
    {
        throw CamundaError(.unimplemented, "EvaluateDecision is not implemented yet")
    }

    // MARK: user tasks (REST v2)

    /// Sets a created task's assignee; with `allowOverride` false, `failedPrecondition` when
    /// another user holds it.
    public func assignUserTask(key: CamundaKey, assignee: String, allowOverride: Bool = true) async throws {
        throw CamundaError(.unimplemented, "user task assignment is not implemented yet")
    }

    /// Clears a task's assignee.
    public func unassignUserTask(key: CamundaKey) async throws {
        throw CamundaError(.unimplemented, "user task unassignment is not implemented yet")
    }

    /// Completes a created task with variables (checked against its form); `notFound` for an
    /// unknown task, `failedPrecondition` for one not open.
    public func completeUserTask(key: CamundaKey, variables: CamundaVariables) async throws {
        throw CamundaError(.unimplemented, "user task completion is not implemented yet")
    }

    // MARK: searches (REST v2)

    public func searchInstances(_ filter: CamundaInstanceFilter, sort: [CamundaSort] = [],
                                page: CamundaPage = CamundaPage()) async throws
        -> CamundaSearchResult<CamundaInstanceItem>
    {
        throw CamundaError(.unimplemented, "process instance search is not implemented yet")
    }

    public func searchUserTasks(_ filter: CamundaUserTaskFilter, sort: [CamundaSort] = [],
                                page: CamundaPage = CamundaPage()) async throws
        -> CamundaSearchResult<CamundaUserTaskItem>
    {
        throw CamundaError(.unimplemented, "user task search is not implemented yet")
    }

    public func searchIncidents(_ filter: CamundaIncidentFilter, sort: [CamundaSort] = [],
                                page: CamundaPage = CamundaPage()) async throws
        -> CamundaSearchResult<CamundaIncidentItem>
    {
        throw CamundaError(.unimplemented, "incident search is not implemented yet")
    }

    public func searchVariables(_ filter: CamundaVariableFilter, sort: [CamundaSort] = [],
                                page: CamundaPage = CamundaPage()) async throws
        -> CamundaSearchResult<CamundaVariableItem>
    {
        throw CamundaError(.unimplemented, "variable search is not implemented yet")
    }
}
