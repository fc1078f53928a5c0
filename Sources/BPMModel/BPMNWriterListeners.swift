import BPMExpressions

/// Listeners as Camunda 8 writes them: zeebe:executionListeners on an element or the process,
/// zeebe:taskListeners on a user task (the reader's `BPMNListeners` in reverse).
extension BPMNWriter.Writer {
    func listenerNodes(_ l: ExecutionListeners) -> [XMLNode] {
        let items = ExecutionListenerEvent.allCases.flatMap { event in
            l[event].map { listenerNode("zeebe:executionListener", event.rawValue, $0) }
        }
        return items.isEmpty ? [] : [XMLNode("zeebe:executionListeners", [], items)]
    }

    func taskListenerNodes(_ e: FlowElement) -> [XMLNode] {
        guard case .userTask(let task) = e.kind else { return [] }
        let items = TaskListenerEvent.allCases.flatMap { event in
            (task.taskListeners[event] ?? []).map { listenerNode("zeebe:taskListener", event.rawValue, $0) }
        }
        return items.isEmpty ? [] : [XMLNode("zeebe:taskListeners", [], items)]
    }

    func listenerNode(_ tag: String, _ event: String, _ l: Listener) -> XMLNode {
        let headers = l.headers.sorted { $0.key < $1.key }.map {
            XMLNode("zeebe:header", [("key", $0.key), ("value", $0.value)])
        }
        return XMLNode(tag, [("eventType", event), ("type", l.type.source), ("retries", l.retries.source)],
                       headers.isEmpty ? [] : [XMLNode("zeebe:taskHeaders", [], headers)])
    }
}
