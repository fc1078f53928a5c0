import BPMAPI
import BPMEngine
import BPMExpressions
import BPMRuntime
import OpenAPIRuntime

/// The operations on instances, events, tasks, jobs and incidents.
extension OwnAPIHandler {
    func listInstances(_ input: Operations.ListInstances.Input) async throws -> Operations.ListInstances.Output {
        try await json { try await api.instances($0.request) }
    }

    func startInstance(_ input: Operations.StartInstance.Input) async throws -> Operations.StartInstance.Output {
        try await reply { x in
            let key = API.header(x.request, "Idempotency-Key")
            return try await api.start(input.path.definitionId, x.body, idempotencyKey: key)
        }
    }

    func getInstance(_ input: Operations.GetInstance.Input) async throws -> Operations.GetInstance.Output {
        try await json { _ in try await api.instance(input.path.id) }
    }

    func getInstanceHistory(_ input: Operations.GetInstanceHistory.Input) async throws
        -> Operations.GetInstanceHistory.Output
    {
        try await json { _ in try await api.history(input.path.id) }
    }

    func cancelInstance(_ input: Operations.CancelInstance.Input) async throws -> Operations.CancelInstance.Output {
        try await json { try await api.cancel(input.path.id, $0.body) }
    }

    func suspendInstance(_ input: Operations.SuspendInstance.Input) async throws
        -> Operations.SuspendInstance.Output
    {
        try await json { _ in try await api.command(input.path.id, .suspend) }
    }

    func resumeInstance(_ input: Operations.ResumeInstance.Input) async throws -> Operations.ResumeInstance.Output {
        try await json { _ in try await api.command(input.path.id, .resume) }
    }

    func runBatchOperation(_ input: Operations.RunBatchOperation.Input) async throws
        -> Operations.RunBatchOperation.Output
    {
        try await json { try await api.batch(input.path.operation.rawValue, $0.body) }
    }

    func migrateInstance(_ input: Operations.MigrateInstance.Input) async throws
        -> Operations.MigrateInstance.Output
    {
        try await json { try await api.migrate(input.path.id, $0.body) }
    }

    func modifyInstance(_ input: Operations.ModifyInstance.Input) async throws -> Operations.ModifyInstance.Output {
        try await json { try await api.modify(input.path.id, $0.body) }
    }

    func setInstanceVariables(_ input: Operations.SetInstanceVariables.Input) async throws
        -> Operations.SetInstanceVariables.Output
    {
        try await json { try await api.setVariables(input.path.id, $0.body) }
    }

    // MARK: events

    func publishEvent(_ input: Operations.PublishEvent.Input) async throws -> Operations.PublishEvent.Output {
        try await json { try await api.event($0.body, $0.request) }
    }

    func publishMessage(_ input: Operations.PublishMessage.Input) async throws -> Operations.PublishMessage.Output {
        try await json { try await api.message($0.body) }
    }

    func broadcastSignal(_ input: Operations.BroadcastSignal.Input) async throws
        -> Operations.BroadcastSignal.Output
    {
        try await json { try await api.signal($0.body) }
    }

    // MARK: tasks

    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        try await json { try await api.tasks($0.request) }
    }

    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        try await json { _ in try await api.task(input.path.id) }
    }

    func completeTask(_ input: Operations.CompleteTask.Input) async throws -> Operations.CompleteTask.Output {
        try await json { x in
            try await api.authorizeTask(input.path.id)
            return try await api.completeTask(input.path.id, x.body)
        }
    }

    func claimTask(_ input: Operations.ClaimTask.Input) async throws -> Operations.ClaimTask.Output {
        try await json { try await api.claimTask(input.path.id, $0.body) }
    }

    func unclaimTask(_ input: Operations.UnclaimTask.Input) async throws -> Operations.UnclaimTask.Output {
        try await json { _ in
            try await api.authorizeTask(input.path.id)
            return try await api.assignTask(input.path.id, nil)
        }
    }

    func assignTask(_ input: Operations.AssignTask.Input) async throws -> Operations.AssignTask.Output {
        try await json { x in
            guard let user = try API.object(x.body)["assignee"]?.stringValue else {
                throw Problem(.badRequest, "invalid-body", "Invalid body", "send {\"assignee\": \"user\"}")
            }
            return try await api.assignTask(input.path.id, user)
        }
    }

    // MARK: jobs

    func activateJobs(_ input: Operations.ActivateJobs.Input) async throws -> Operations.ActivateJobs.Output {
        try await json { try await api.activateJobs($0.body) }
    }

    func completeJob(_ input: Operations.CompleteJob.Input) async throws -> Operations.CompleteJob.Output {
        try await report(input.path.id, "complete")
    }

    func failJob(_ input: Operations.FailJob.Input) async throws -> Operations.FailJob.Output {
        try await report(input.path.id, "fail")
    }

    func throwJobError(_ input: Operations.ThrowJobError.Input) async throws -> Operations.ThrowJobError.Output {
        try await report(input.path.id, "error")
    }

    /// A worker's report on a job of a type it may work on.
    func report<Output: RepliedOutput>(_ id: String, _ kind: String) async throws -> Output {
        try await json { x in
            try await api.authorizeJob(id)
            return try await api.reportJob(id, kind, x.body)
        }
    }

    // MARK: incidents

    func listIncidents(_ input: Operations.ListIncidents.Input) async throws -> Operations.ListIncidents.Output {
        try await json { try await api.incidents($0.request) }
    }

    func retryIncident(_ input: Operations.RetryIncident.Input) async throws -> Operations.RetryIncident.Output {
        try await json { _ in try await api.retry(input.path.id) }
    }

    func resolveIncident(_ input: Operations.ResolveIncident.Input) async throws
        -> Operations.ResolveIncident.Output
    {
        try await json { try await api.resolve(input.path.id, $0.body) }
    }
}

/// Every operation's output can carry a handler's `Reply` (see `OwnAPIHandler.reply`).
protocol RepliedOutput { static func undocumented(statusCode: Int, _ payload: UndocumentedPayload) -> Self }

extension Operations.GetLiveness.Output: RepliedOutput {}
extension Operations.GetMetrics.Output: RepliedOutput {}
extension Operations.GetReadiness.Output: RepliedOutput {}
extension Operations.ListDefinitions.Output: RepliedOutput {}
extension Operations.DeployDefinition.Output: RepliedOutput {}
extension Operations.ListDefinitionVersions.Output: RepliedOutput {}
extension Operations.GetDefinitionVersion.Output: RepliedOutput {}
extension Operations.GetDefinitionSource.Output: RepliedOutput {}
extension Operations.DiffDefinitionVersions.Output: RepliedOutput {}
extension Operations.ListDeployments.Output: RepliedOutput {}
extension Operations.GetBackstageCatalog.Output: RepliedOutput {}
extension Operations.GetDefinition.Output: RepliedOutput {}
extension Operations.ListInstances.Output: RepliedOutput {}
extension Operations.StartInstance.Output: RepliedOutput {}
extension Operations.GetInstance.Output: RepliedOutput {}
extension Operations.GetInstanceHistory.Output: RepliedOutput {}
extension Operations.CancelInstance.Output: RepliedOutput {}
extension Operations.SuspendInstance.Output: RepliedOutput {}
extension Operations.ResumeInstance.Output: RepliedOutput {}
extension Operations.RunBatchOperation.Output: RepliedOutput {}
extension Operations.MigrateInstance.Output: RepliedOutput {}
extension Operations.ModifyInstance.Output: RepliedOutput {}
extension Operations.SetInstanceVariables.Output: RepliedOutput {}
extension Operations.PublishEvent.Output: RepliedOutput {}
extension Operations.PublishMessage.Output: RepliedOutput {}
extension Operations.BroadcastSignal.Output: RepliedOutput {}
extension Operations.ListDecisions.Output: RepliedOutput {}
extension Operations.EvaluateDecision.Output: RepliedOutput {}
extension Operations.ListTasks.Output: RepliedOutput {}
extension Operations.GetTask.Output: RepliedOutput {}
extension Operations.CompleteTask.Output: RepliedOutput {}
extension Operations.ClaimTask.Output: RepliedOutput {}
extension Operations.UnclaimTask.Output: RepliedOutput {}
extension Operations.AssignTask.Output: RepliedOutput {}
extension Operations.ActivateJobs.Output: RepliedOutput {}
extension Operations.CompleteJob.Output: RepliedOutput {}
extension Operations.FailJob.Output: RepliedOutput {}
extension Operations.ThrowJobError.Output: RepliedOutput {}
extension Operations.ListIncidents.Output: RepliedOutput {}
extension Operations.RetryIncident.Output: RepliedOutput {}
extension Operations.ResolveIncident.Output: RepliedOutput {}
extension Operations.ListLogs.Output: RepliedOutput {}
extension Operations.GetClock.Output: RepliedOutput {}
extension Operations.PinClock.Output: RepliedOutput {}
extension Operations.ResetClock.Output: RepliedOutput {}
