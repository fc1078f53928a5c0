import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore

/// Listener jobs in our own job API: an activated job's `kind` and `listenerEventType` (and
/// a task listener's `userTaskId`), and a completion's `result` for task listener jobs.
extension API {
    /// The listener fields of an activated job (nothing for a BPMN element's job).
    static func listenerFields(_ job: JobRecord) -> [String: Value] {
        var out: [String: Value] = ["kind": .string(job.kind), "listenerEventType": .string(job.listenerEventType)]
        if let task = job.listenerUserTask { out["userTaskId"] = .string(task) }
        return out
    }

    /// Completes a task listener's job with `{"result": {"denied", "deniedReason", "corrections"}}`.
    func completeWithResult(_ id: String, _ o: [String: Value], result: Value) async throws -> Value {
        guard let (job, _) = try await runtime.store.job(id) else {
            throw Problem(.notFound, "not-found", "Not found", "no active job \(id)")
        }
        guard case .context(let r) = result else {
            throw Problem(.badRequest, "invalid-body", "Invalid body", "result must be an object")
        }
        var out = UserTaskJobResult(denied: r["denied"] == .bool(true), deniedReason: r["deniedReason"]?.stringValue)
        if let c = r["corrections"] {
            guard case .context(let corrections) = c else {
                throw Problem(.badRequest, "invalid-body", "Invalid body", "result.corrections must be an object")
            }
            out.corrections = corrections
        }
        let command = Command.jobCompletedWithResult(jobId: id, output: try variables(o), result: out)
        guard let s = try await runtime.reportJob(job, command: command) else { return .null }
        return Views.instance(s)
    }
}
