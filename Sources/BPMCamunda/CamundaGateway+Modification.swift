import BPMEngine
import BPMRuntime
import Foundation

extension CamundaGateway {
    /// `ModifyProcessInstance`: activates elements (their flow scopes created where missing,
    /// variables set first) and terminates element instances, in one command
    /// (`Engine`'s `Modification`); `notFound` for an unknown instance, `invalidArgument` for
    /// what the engine refuses (an unknown element, one inside a multi-instance, a start event
    /// of a sub-process, an element instance that is not active).
    /// `terminateElements` names elements by id (REST v2's `elementId` form): the engine
    /// terminates the element's instance, and refuses an element with several active instances.
    public func modifyInstance(
        key: CamundaKey, activate: [CamundaActivateInstruction],
        terminate: [CamundaKey], terminateElements: [String] = []
    ) async throws {
        let s = try await instance(key: key)
        guard !activate.isEmpty || !terminate.isEmpty || !terminateElements.isEmpty else { return }
        var m = Modification()
        for a in activate {
            let ancestor = try await elementInstance(a.ancestorElementInstanceKey, of: s.id)
            let values = a.variables.map { Modification.ScopedValues(scopeId: $0.scopeId, variables: $0.variables) }
            m.activate.append(Modification.Activation(elementId: a.elementId, ancestor: ancestor, variables: values))
        }
        for k in terminate {
            guard let id = try await elementInstance(k, of: s.id) else {
                throw CamundaError(.invalidArgument, "terminate the process instance \(k) by cancelling it")
            }
            m.terminate.append(id)
        }
        m.terminate += terminateElements
        try await refusedAsInvalid { _ = try await runtime.send(.modify(m), to: s.id) }
    }

    /// The engine's id of an element instance key of the instance (nil: the instance itself,
    /// or no key given).
    func elementInstance(_ key: CamundaKey?, of instanceId: String) async throws -> String? {
        guard let key, key > 0 else { return nil }
        guard let ref = try await keys.ref(key) else {
            throw CamundaError(.invalidArgument, "no element instance with key \(key)")
        }
        switch ref.kind {
        case .processInstance where ref.id == instanceId: return nil
        case .elementInstance where ref.id.hasPrefix(instanceId + "/"):
            return String(ref.id.dropFirst(instanceId.count + 1))
        default:
            throw CamundaError(.invalidArgument, "key \(key) is not an element instance of this process instance")
        }
    }

    /// Runs `body`; the engine's refusal of what was asked is the client's mistake (`invalidArgument`).
    func refusedAsInvalid<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as CommandRejection {
            throw CamundaError(.invalidArgument, e.description)
        } catch { throw CamundaError(error) }
    }
}
