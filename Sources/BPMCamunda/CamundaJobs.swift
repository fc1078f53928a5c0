import BPMExpressions
import Foundation

/// `ActivateJobsRequest` (and the stream's `StreamActivatedJobsRequest`, without
/// `maxJobsToActivate` and `requestTimeout`). Times are milliseconds, as in Zeebe.
public struct CamundaActivateJobs: Sendable {
    /// The job type (`zeebe:taskDefinition type`).
    public var type: String
    public var worker: String
    /// How long the jobs stay locked to the worker (ms); after it they can be activated again.
    public var timeout: Int64
    public var maxJobsToActivate: Int32
    /// Variable names to fetch (empty: all visible at the job's element).
    public var fetchVariable: [String]
    /// How long to wait for a job when none is available (ms): 0 waits the default (10 s),
    /// negative answers at once, as Zeebe's gateway does.
    public var requestTimeout: Int64
    public var tenantIds: [String]

    public init(
        type: String, worker: String, timeout: Int64, maxJobsToActivate: Int32 = 32,
        fetchVariable: [String] = [], requestTimeout: Int64 = 0, tenantIds: [String] = []
    ) {
        self.type = type
        self.worker = worker
        self.timeout = timeout
        self.maxJobsToActivate = maxJobsToActivate
        self.fetchVariable = fetchVariable
        self.requestTimeout = requestTimeout
        self.tenantIds = tenantIds
    }
}

/// `ActivatedJob`: a job locked to a worker.
public struct CamundaActivatedJob: Sendable, Equatable {
    public var key: CamundaKey
    public var type: String
    public var processInstanceKey: CamundaKey
    public var bpmnProcessId: String
    public var processDefinitionVersion: Int32
    public var processDefinitionKey: CamundaKey
    public var elementId: String
    /// The key of the service task's element instance (SetVariables scope, incidents).
    public var elementInstanceKey: CamundaKey
    /// `zeebe:taskHeaders`.
    public var customHeaders: [String: String]
    public var worker: String
    /// Attempts left (Zeebe's `retries`, 3 unless the task definition says otherwise).
    public var retries: Int32
    /// When the lock runs out (epoch milliseconds).
    public var deadline: Int64
    public var variables: CamundaVariables
    public var tenantId: String
    /// Zeebe's `JobKind`: `BPMN_ELEMENT`, `EXECUTION_LISTENER`, `TASK_LISTENER`, or
    /// `AD_HOC_SUB_PROCESS` for an ad-hoc sub-process's job worker.
    public var kind = "BPMN_ELEMENT"
    /// Zeebe's `JobListenerEventType`: `UNSPECIFIED`, `START`, `END`, `CREATING`, `ASSIGNING`, `COMPLETING`…
    public var listenerEventType = "UNSPECIFIED"
    /// For a task listener's job, the user task it listens to.
    public var userTaskKey: CamundaKey?
}

/// `FailJobRequest`.
public struct CamundaFailJob: Sendable {
    public var jobKey: CamundaKey
    /// Retries left: 0 raises an incident with `errorMessage` (type JOB_NO_RETRIES); more makes
    /// the job activatable again, after `retryBackOff` ms.
    public var retries: Int32
    public var errorMessage: String
    public var retryBackOff: Int64
    /// Set on the job's element instance (local), as Zeebe does.
    public var variables: CamundaVariables

    public init(
        jobKey: CamundaKey, retries: Int32, errorMessage: String = "", retryBackOff: Int64 = 0,
        variables: CamundaVariables = [:]
    ) {
        self.jobKey = jobKey
        self.retries = retries
        self.errorMessage = errorMessage
        self.retryBackOff = retryBackOff
        self.variables = variables
    }
}

/// `ThrowErrorRequest`: a BPMN error for the job's element.
public struct CamundaThrowError: Sendable {
    public var jobKey: CamundaKey
    public var errorCode: String
    public var errorMessage: String
    /// Set in the scope of the catching event (and output-mapped by it), as Zeebe does.
    public var variables: CamundaVariables

    public init(jobKey: CamundaKey, errorCode: String, errorMessage: String = "", variables: CamundaVariables = [:]) {
        self.jobKey = jobKey
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.variables = variables
    }
}
