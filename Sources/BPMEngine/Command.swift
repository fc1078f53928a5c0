import BPMExpressions

/// Something that happens to a running instance. Time comes with the command, not from a clock.
public enum Command: Sendable, Equatable {
    /// A timer became due.
    case timerFired(timerId: String)
    /// A connector finished a job; `output` is merged into the variables.
    case jobCompleted(jobId: String, output: [String: Value])
    /// A worker completed the job of an ad-hoc sub-process's job worker implementation with
    /// Zeebe's job result (`JobResultAdHocSubProcess`): `output` is set as the job's variables,
    /// the listed elements are activated, and the sub-process may complete.
    case adHocJobCompleted(jobId: String, output: [String: Value], result: AdHocJobResult)
    /// A job failed; retryable failures are retried with backoff, others raise an incident.
    case jobFailed(jobId: String, message: String, retryable: Bool, incidentType: String)
    /// A job ended with a BPMN error (a worker's error, a script's thrown error): caught by an
    /// error boundary event or an error event sub-process, or failing the instance.
    case jobThrewError(jobId: String, code: String, message: String?)
    /// A job worker of Camunda's protocols failed a job (Zeebe's FailJob): `variables` are set
    /// in the job's scope; with `retries` left the job is dispatched again after `backoff`
    /// seconds (its attempt set so that `retries` remain of the task's), with none an incident
    /// (`job_no_retries`) holds the path with the message.
    case jobFailedWithRetries(jobId: String, message: String, retries: Int, backoff: Double, variables: [String: Value])
    /// A worker of Camunda's protocols threw a BPMN error (Zeebe's ThrowError): `variables` are
    /// set in the job's scope and the error is caught as `jobThrewError`'s; one nothing catches
    /// raises an incident (`unhandled_error_event`) instead of failing the instance, as Zeebe.
    case jobThrewErrorOrIncident(jobId: String, code: String, message: String?, variables: [String: Value])
    /// Sets a job's retries (Zeebe's UpdateJobRetries): of a job waiting for a worker (its
    /// attempt), or of one whose incident is open (its retry dispatches it with them).
    case setJobRetries(jobId: String, retries: Int)
    /// A published message matched one of the instance's subscriptions.
    case correlateMessage(subscriptionId: String, variables: [String: Value])
    /// A called instance completed with these variables.
    case childCompleted(tokenId: String, variables: [String: Value])
    /// A called instance ended with an uncaught error.
    case childFailed(tokenId: String, code: String, message: String?)
    /// The called process could not be started (not deployed): an incident at the call activity.
    case childStartFailed(tokenId: String, message: String)
    /// A person completed a user task.
    case completeUserTask(taskId: String, variables: [String: Value])
    /// A worker completed a task listener's job with a result: `denied` rejects the user task's
    /// transition, `corrections` change the task (Zeebe's JobResult of type userTask).
    case jobCompletedWithResult(jobId: String, output: [String: Value], result: UserTaskJobResult)
    /// A user task's assignee is set (nil: cleared) through its `assigning` task listeners.
    case assignUserTask(taskId: String, assignee: String?)
    /// A later event for the instance's correlation key: refreshes its variables.
    case correlate(variables: [String: Value])
    /// An operator sets variables.
    case setVariables([String: Value])
    /// A client of Camunda's protocols sets variables on an element instance (a scope token's id,
    /// a job's or a user task's id): `local` in that scope, else each where it is defined
    /// (`Run.setScopedVariables`).
    case setScopedVariables(elementInstance: String, variables: [String: Value], local: Bool)
    /// An operator retries an incident after fixing its cause.
    case retryIncident(incidentId: String)
    /// An operator resolves an incident without retrying: the failed activity counts as done
    /// with these variables (its work was done another way), and the path moves on.
    case resolveIncident(incidentId: String, variables: [String: Value])
    /// An operator cancels the instance.
    case cancel(reason: String?)
    /// An operator repairs the instance (Zeebe's ModifyProcessInstance): elements are activated,
    /// then element instances terminated (`Modification.swift`).
    case modify(Modification)
    /// An operator suspends the instance: what arrives is held until it resumes.
    case suspend
    /// An operator resumes a suspended instance: held arrivals are applied in order.
    case resume
}

/// What the job of an ad-hoc sub-process's job worker decided (Zeebe's `JobResultAdHocSubProcess`).
public struct AdHocJobResult: Sendable, Equatable {
    /// An inner element to activate, with variables local to that activation.
    public struct Activation: Sendable, Equatable {
        public var elementId: String
        public var variables: [String: Value]

        public init(elementId: String, variables: [String: Value] = [:]) {
            self.elementId = elementId
            self.variables = variables
        }
    }

    public var activateElements: [Activation]
    /// The sub-process completes (once what is still active inside is done, or cancelled).
    public var isCompletionConditionFulfilled: Bool
    /// With the completion: the elements still active inside are terminated.
    public var isCancelRemainingInstances: Bool

    public init(activateElements: [Activation] = [], isCompletionConditionFulfilled: Bool = false,
                isCancelRemainingInstances: Bool = false)
    {
        self.activateElements = activateElements
        self.isCompletionConditionFulfilled = isCompletionConditionFulfilled
        self.isCancelRemainingInstances = isCancelRemainingInstances
    }
}

/// Why the engine refused a command.
public enum CommandRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The instance no longer waits for this (a timer or job of a path that moved on); safe to drop.
    case stale(String)
    /// The command does not apply to the instance's current state.
    case invalid(String)

    public var description: String {
        switch self {
        case .stale(let m), .invalid(let m): m
        }
    }
}

/// A task listener job's result (Zeebe's `JobResult` for user tasks).
public struct UserTaskJobResult: Sendable, Equatable {
    /// The attributes a listener may correct (Camunda 8.8).
    public static let correctable: Set<String> = [
        "assignee", "dueDate", "followUpDate", "candidateUsers", "candidateGroups", "priority",
    ]

    public var denied: Bool
    public var deniedReason: String?
    /// Corrected attributes by name (`correctable`); a null value clears the attribute.
    public var corrections: [String: Value]

    public init(denied: Bool = false, deniedReason: String? = nil, corrections: [String: Value] = [:]) {
        self.denied = denied
        self.deniedReason = deniedReason
        self.corrections = corrections
    }

    public var isEmpty: Bool { !denied && deniedReason == nil && corrections.isEmpty }
}
