import BPMExpressions
import BPMModel
import struct Foundation.Date

extension Run {
    /// A user task creates a task for a person and waits until it is completed.
    mutating func activateUserTask(_ element: FlowElement, _ task: UserTask, scope: String?) {
        record(element, "activated", scope: scope)
        let id = nextId("u")
        // input mappings are local variables of the task (its assignment and dates see them)
        let outer = variables(in: scope)
        let locals = Dictionary(element.inputs.map { ($0.target, $0.source.evaluate(outer)) }) { _, last in last }
        let vars = outer.merging(locals) { _, local in local }
        let assignee = task.assignee.map { $0.render(vars) }.flatMap { $0.isNull ? nil : $0.interpolated }
        // with task listeners, the task is created without its assignee, then assigned (Camunda 8)
        let creating = !(task.taskListeners[.creating] ?? []).isEmpty
        let assigning = !(task.taskListeners[.assigning] ?? []).isEmpty
        effects.append(.createUserTask(UserTaskRecord(
            id: id, instanceId: state.id, definitionId: definition.id, elementId: element.id, name: element.name,
            assignee: creating || assigning ? nil : assignee, candidateUsers: task.candidateUsers,
            candidateGroups: task.candidateGroups, priority: task.priority, form: task.form,
            description: task.description?.render(vars).interpolated, status: creating ? "creating" : "open",
            createdAt: now, dueAt: date(task.due, vars), followUpAt: date(task.followUp, vars))))
        let token = wait(at: element, .userTask(taskId: id), scope: scope,
                         boundaries: armBoundaryEvents(of: element, scope: scope))
        if !locals.isEmpty { state.locals[token] = locals }
        let a: Value = assignee.map(Value.string) ?? .null
        if creating {
            _ = startTaskListeners(element, .creating, taskId: id, variables: ["assignee": a], scope: scope)
        } else if assigning, assignee != nil {
            _ = startTaskListeners(element, .assigning, taskId: id, variables: ["assignee": a], scope: scope)
        }
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
        if let element = definition.element(state.tokens[i].elementId),
           startTaskListeners(element, .completing, taskId: taskId, variables: values, scope: state.tokens[i].scope)
        {
            return
        }
        finishUserTask(tokenIndex: i, taskId: taskId, variables: values)
    }

    /// Completes the task (after its completing listeners) and leaves the element.
    mutating func finishUserTask(tokenIndex i: Int, taskId: String, variables values: [String: Value]) {
        let locals = state.locals[state.tokens[i].id] ?? [:]
        let token = removeToken(at: i, cancelWait: false)
        effects.append(.closeUserTask(id: taskId, status: "completed", at: now))
        guard let element = definition.element(token.elementId) else { return }
        // with output mappings, only the mapped values leave the task (over its locals and the result)
        if leaveWithMappedResult(element, locals.merging(values) { _, v in v }, scope: token.scope) { return }
        setVariables(values, scope: token.scope)
        leave(element, scope: token.scope)
    }
}
