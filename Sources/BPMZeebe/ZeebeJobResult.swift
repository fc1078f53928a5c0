import BPMCamunda
import BPMEngine
import BPMRuntime
import GRPCCore

/// CompleteJobRequest's `result` (Zeebe's JobResult) for the job of an ad-hoc sub-process's job
/// worker: the elements to activate, each with its JSON variables, and the completion flags.
enum ZeebeJobResult {
    /// Whether a completion's result is an ad-hoc sub-process's (typed so, or with one of its
    /// members set); otherwise it is a task listener's (`ZeebeMessages.result`).
    static func isAdHoc(_ request: GatewayProtocol_CompleteJobRequest) -> Bool {
        guard request.hasResult else { return false }
        let r = request.result
        return r.type == "adHocSubProcess" || !r.activateElements.isEmpty || r.isCompletionConditionFulfilled
            || r.isCancelRemainingInstances
    }

    static func adHoc(_ request: GatewayProtocol_CompleteJobRequest) throws -> AdHocJobResult? {
        guard request.hasResult else { return nil }
        let r = request.result
        do {
            try AdHocJobResult.checkType(r.type, present: r.hasType)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
        let activations = try r.activateElements.map { a in
            guard !a.elementID.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "result.activateElements[].elementId must not be empty")
            }
            let field = "the variables of activated element '\(a.elementID)'"
            return AdHocJobResult.Activation(elementId: a.elementID,
                                             variables: try ZeebeJSON.variables(a.variables, field: field))
        }
        return AdHocJobResult(activateElements: activations,
                              isCompletionConditionFulfilled: r.isCompletionConditionFulfilled,
                              isCancelRemainingInstances: r.isCancelRemainingInstances)
    }
}
