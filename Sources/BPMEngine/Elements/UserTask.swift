import BPMExpressions
import BPMModel
import struct Foundation.Date

extension Run {
    /// A user task creates a task for a person and waits until it is completed.
    mutating func activateUserTask(_ element: FlowElement, _ task: UserTask, scope: String?) {
        record(element, "activated", scope: scope)
        let id = nextId("u")
        let vars = variables(in: scope)
        let assignee = task.assignee.map { $0.render(vars) }.flatMap { $0.isNull ? nil : $0.interpolated }
        effects.append(.createUserTask(UserTaskRecord(
            id: id, instanceId: state.id, definitionId: definition.id, elementId: element.id, name: element.name,
            assignee: assignee, candidateUsers: task.candidateUsers, candidateGroups: task.candidateGroups,
            priority: task.priority, form: task.form, description: task.description?.render(vars).interpolated,
            status: "open", createdAt: now, dueAt: date(task.due, vars), followUpAt: date(task.followUp, vars))))
        wait(at: element, .userTask(taskId: id), scope: scope, boundaries: armBoundaryEvents(of: element, scope: scope))
    }

    /// A due or follow-up date: after the task's creation, or an expression's date-time (or
    /// duration from now); nil when the expression gives neither.
    func date(_ d: TaskDate?, _ vars: [String: Value]) -> Date? {
        switch d {
        case nil: return nil
        case .after(let s): return now.addingTimeInterval(s)
        case .expression(let e):
            guard let text = e.evaluate(vars).stringValue else { return nil }
            if let date = ISODate.parse(text) { return date }
            return (try? DurationParser.seconds(text)).map { now.addingTimeInterval($0) }
        }
    }

    mutating func completeUserTask(_ taskId: String, variables values: [String: Value]) throws(CommandRejection) {
        guard let i = state.tokens.firstIndex(where: { $0.wait == .userTask(taskId: taskId) }) else {
            throw .invalid("task \(taskId) is not open")
        }
        let token = removeToken(at: i, cancelWait: false)
        effects.append(.closeUserTask(id: taskId, status: "completed", at: now))
        setVariables(values, scope: token.scope)
        guard let element = definition.element(token.elementId) else { return }
        leave(element, scope: token.scope)
    }
}
