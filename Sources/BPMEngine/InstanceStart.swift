import BPMExpressions
import BPMModel
import Foundation

extension Engine {
    /// Starts an instance at the given elements instead of its none start events (Zeebe's start
    /// instructions of CreateProcessInstance): each is activated as a modification activates it
    /// (its flow scopes created), in order. Refused for an element activation cannot enter
    /// (`Run.checkActivatable`) and for a process with start execution listeners (they run
    /// before its start event, which the instance skips).
    public static func start(_ definition: ProcessDefinition, instanceId: String, version: Int,
                             variables: [String: Value], at elementIds: [String], businessKey: String? = nil,
                             now: Date) throws(CommandRejection) -> Transition
    {
        guard definition.executionListeners.start.isEmpty else {
            throw .invalid(
                "process '\(definition.id)' has start execution listeners: it starts only at its start event")
        }
        let activations = elementIds.map { Modification.Activation(elementId: $0) }
        return try EvaluationClock.$now.withValue(now) {
            Result { () throws(CommandRejection) in
                var run = Run.beginning(definition, instanceId, version, variables, nil, businessKey, nil, now: now)
                guard run.state.status == .running else { return run.finish() }
                for a in activations { try run.activateByModification(a) }
                let activated: Value = .list(elementIds.map(Value.string))
                run.record(definition.id, "process", "modified", data: .context(["activated": activated]))
                run.drain()
                return run.finish()
            }
        }.get()
    }
}

extension Run {
    /// A new instance, recorded started, with its event sub-processes and timeout armed; failed
    /// at once when an event sub-process's timer has no usable value.
    static func beginning(_ definition: ProcessDefinition, _ instanceId: String, _ version: Int,
                          _ variables: [String: Value], _ correlationKey: String?, _ businessKey: String?,
                          _ parent: ParentLink?, now: Date) -> Run
    {
        var state = InstanceState(id: instanceId, definitionId: definition.id, definitionVersion: version,
                                  variables: variables, correlationKey: correlationKey, businessKey: businessKey,
                                  startedAt: now)
        state.parent = parent
        var run = Run(definition: definition, state: state, now: now)
        run.record(definition.id, "process", "started", data: variables.isEmpty ? nil : .context(variables))
        run.state.processTriggers = run.armEventSubProcesses(in: nil, scope: nil)
        if let failure = run.timerFailure {  // no path has begun: nothing to hold with an incident
            run.failInstance(code: "timer", message: failure)
            return run
        }
        if let limit = definition.timeout {
            let tid = run.nextId("t")
            run.effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: instanceId, elementId: definition.id,
                                                          dueAt: now.addingTimeInterval(limit.after))))
            run.state.processTriggers.append(BoundaryTimer(timerId: tid, boundaryElementId: ProcessTimeout.triggerId))
        }
        return run
    }
}
