import BPMExpressions
import BPMModel

/// Camunda 8 user task listeners: a lifecycle transition (creating, assigning, completing)
/// waits until its listeners' jobs complete, one after another. The task's status shows the
/// transition meanwhile. A listener may correct the task's attributes (seen by the next
/// listener, applied when the transition finishes) or deny an assigning or completing
/// transition: the task stays as it was, the corrections are dropped, and history records
/// the denial with its reason.
extension Run {
    /// Starts a user task's listeners of `event`; false when it has none.
    mutating func startTaskListeners(_ element: FlowElement, _ event: TaskListenerEvent, taskId: String,
                                     variables: [String: Value] = [:], scope: String?) -> Bool
    {
        guard case .userTask(let task) = element.kind, !(task.taskListeners[event] ?? []).isEmpty else { return false }
        effects.append(.updateUserTask(id: taskId, status: event.rawValue, corrections: [:]))
        dispatchListener(at: element.id, .task(event: event.rawValue, taskId: taskId, variables: variables), index: 0,
                         attempt: 1, scope: scope)
        return true
    }

    /// A task listener's job completed: checks its result and keeps its corrections; a denial
    /// ends the transition here. Returns whether the transition goes on.
    mutating func taskListenerCompleted(tokenIndex i: Int, _ lj: inout ListenerJob, output: [String: Value],
                                        result: UserTaskJobResult) throws(CommandRejection) -> Bool
    {
        guard case .task(let name, let taskId, _) = lj.phase, let event = TaskListenerEvent(rawValue: name),
              let element = definition.element(state.tokens[i].elementId) else { return false }
        if let why = ListenerJobReport.taskResultRefusal(lj.jobId, event: name, output: output, result: result) {
            throw .invalid(why)
        }
        if result.denied {
            state.tokens[i].wait = .userTask(taskId: taskId)
            effects.append(.updateUserTask(id: taskId, status: "open", corrections: [:]))
            var data: [String: Value] = ["transition": .string(event.rawValue), "job": .string(lj.jobId)]
            if let why = result.deniedReason { data["deniedReason"] = .string(why) }
            record(element, "\(event.rawValue)_denied", scope: state.tokens[i].scope, data: .context(data))
            return false
        }
        lj.corrections.merge(result.corrections) { _, new in new }
        state.tokens[i].wait = .listener(lj)
        return true
    }

    /// The transition the task listeners held back, once the last completed.
    mutating func resumeUserTask(_ element: FlowElement, _ lj: ListenerJob, scope: String?) {
        guard case .task(let name, let taskId, let vars) = lj.phase, let event = TaskListenerEvent(rawValue: name),
              let i = state.tokens.firstIndex(where: { $0.listenerTask == taskId }) else { return }
        state.tokens[i].wait = .userTask(taskId: taskId)
        var corrections = lj.corrections
        switch event {
        case .creating:
            // the process's assignee stands: a creating listener may only set one the process left open
            let assignee = vars["assignee"]
            if assignee != nil { corrections["assignee"] = nil }
            effects.append(.updateUserTask(id: taskId, status: "open", corrections: corrections))
            record(element, "created", scope: scope)
            if let a = assignee ?? corrections["assignee"], !a.isNull {
                _ = startTaskListeners(element, .assigning, taskId: taskId, variables: ["assignee": a], scope: scope)
            }
        case .assigning:
            if corrections["assignee"] == nil { corrections["assignee"] = vars["assignee"] ?? .null }
            effects.append(.updateUserTask(id: taskId, status: "open", corrections: corrections))
            record(element, "assigned", scope: scope, data: .context(["assignee": corrections["assignee"] ?? .null]))
        case .completing:
            if !corrections.isEmpty {
                effects.append(.updateUserTask(id: taskId, status: "completing", corrections: corrections))
            }
            finishUserTask(tokenIndex: i, taskId: taskId, variables: vars)
        case .updating, .canceling:
            effects.append(.updateUserTask(id: taskId, status: "open", corrections: corrections))
        }
    }

    /// Sets a task's assignee through its assigning listeners (without them, the runtime sets it directly).
    mutating func assignUserTask(_ taskId: String, assignee: String?) throws(CommandRejection) {
        guard let i = state.tokens.firstIndex(where: { $0.wait == .userTask(taskId: taskId) }),
              let element = definition.element(state.tokens[i].elementId)
        else { throw .invalid("task \(taskId) is not open") }
        let a: Value = assignee.map(Value.string) ?? .null
        let scope = state.tokens[i].scope
        if !startTaskListeners(element, .assigning, taskId: taskId, variables: ["assignee": a], scope: scope) {
            effects.append(.updateUserTask(id: taskId, status: "open", corrections: ["assignee": a]))
            record(element, "assigned", scope: state.tokens[i].scope, data: .context(["assignee": a]))
        }
    }
}
