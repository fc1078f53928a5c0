import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore

/// Job results for the job worker implementation of ad-hoc sub-processes (Camunda 8.8's
/// `JobResultAdHocSubProcess`), shared by our jobs API, REST v2 and the Zeebe gRPC gateway: read
/// from Zeebe's JSON shape, checked against the job's definition before anything changes.
extension AdHocJobResult {
    /// The result's JSON shape: `{"type": "adHocSubProcess", "activateElements": [{"elementId",
    /// "variables"}], "isCompletionConditionFulfilled", "isCancelRemainingInstances"}`; nil for
    /// `null`. Anything else — another type, a member of the wrong kind — is invalid input.
    public init?(json v: Value) throws(Runtime.RuntimeError) {
        if v == .null { return nil }
        guard case .context(let c) = v else { throw Self.bad("result must be an object, got \(JSON.encode(v))") }
        let known: Set<String> = ["type", "activateElements", "isCompletionConditionFulfilled",
                                  "isCancelRemainingInstances"]
        if let other = c.keys.sorted().first(where: { !known.contains($0) }) {
            throw Self.bad("result member '\(other)' is not supported (\(known.sorted().joined(separator: ", ")) are)")
        }
        try Self.checkType(c["type"]?.stringValue, present: c["type"].map { $0 != .null } ?? false)
        var activations: [Activation] = []
        switch c["activateElements"] ?? .null {
        case .null: break
        case .list(let items):
            for item in items {
                guard let id = item[member: "elementId"].stringValue, !id.isEmpty else {
                    throw Self.bad("each of result.activateElements needs an elementId, got \(JSON.encode(item))")
                }
                let vars = item[member: "variables"]
                guard vars == .null || vars.contextValue != nil else {
                    throw Self.bad("the variables of activated element '\(id)' must be an object")
                }
                activations.append(Activation(elementId: id, variables: vars.contextValue ?? [:]))
            }
        default: throw Self.bad("result.activateElements must be a list")
        }
        self.init(activateElements: activations,
                  isCompletionConditionFulfilled: try Self.flag(c, "isCompletionConditionFulfilled"),
                  isCancelRemainingInstances: try Self.flag(c, "isCancelRemainingInstances"))
    }

    /// A result's `type` must be Zeebe's `adHocSubProcess` (absent is taken as that).
    public static func checkType(_ type: String?, present: Bool) throws(Runtime.RuntimeError) {
        guard present, let type, !type.isEmpty, type != "adHocSubProcess" else { return }
        if type == "userTask" {
            throw bad("job results of type userTask (user task listeners) are not supported")
        }
        throw bad("result type '\(type)' is not known: write adHocSubProcess")
    }

    private static func flag(_ c: [String: Value], _ name: String) throws(Runtime.RuntimeError) -> Bool {
        switch c[name] ?? .null {
        case .null: return false
        case .bool(let b): return b
        case let other: throw bad("result.\(name) must be true or false, got \(JSON.encode(other))")
        }
    }

    static func bad(_ message: String) -> Runtime.RuntimeError { .invalidInput(message, problems: []) }
}

extension Runtime {
    /// Checks a job result against the job's definition: the job must be an ad-hoc sub-process's,
    /// and every element it activates one the sub-process can activate (an inner element without
    /// incoming flows). Throws invalid input naming the element, before anything changes.
    public func checkAdHocResult(_ job: JobRecord, _ result: AdHocJobResult) async throws {
        guard let instance = try await store.instance(job.instanceId),
              let (def, _) = await definition(job.definitionId, version: instance.definitionVersion),
              let element = def.element(job.elementId)
        else { return }  // the engine answers for a job whose instance is gone
        guard element.adHoc?.jobWorker != nil else {
            throw AdHocJobResult.bad("job \(job.id) belongs to '\(element.id)', not to an ad-hoc sub-process: a job "
                + "result of type adHocSubProcess does not apply to it")
        }
        let activatable = def.adHocActivatable(in: element.id).map(\.id)
        for a in result.activateElements where !activatable.contains(a.elementId) {
            let inner = def.element(a.elementId)?.parent == element.id
            throw AdHocJobResult.bad(
                (inner ? "element '\(a.elementId)' of ad-hoc sub-process '\(element.id)' cannot be activated (it has "
                    + "incoming flows, or is a boundary event, event sub-process or compensation handler)"
                    : "ad-hoc sub-process '\(element.id)' has no inner element '\(a.elementId)'")
                    + "; it can activate: \(activatable.joined(separator: ", "))")
        }
    }

    /// Completes a worker's job with a job result (checked first).
    public func completeAdHocJob(_ job: JobRecord, variables: [String: Value], result: AdHocJobResult)
        async throws -> InstanceState?
    {
        try await checkAdHocResult(job, result)
        return try await reportJob(job, command: .adHocJobCompleted(jobId: job.id, output: variables, result: result))
    }
}
