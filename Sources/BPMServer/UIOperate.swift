import BPMEngine
import BPMModel
import BPMStore
import Foundation

/// Operate-like monitoring on the definition and instance pages: the diagram's elements link
/// to the instances waiting there and carry a heat map (activations and average duration per
/// element, aggregated by the store); an instance lists what each token waits for (when a
/// timer fires, a job's type, retries and worker) and links its parent and called instances.
extension UI {
    /// Per-element statistics of a definition as a table (the diagram shows the same as a heat map).
    func statistics(_ defId: String) async throws -> (DiagramSVG.Heat, String) {
        let stats = try await runtime.store.elementStatistics(definitionId: defId)
        var heat = DiagramSVG.Heat()
        var rows = ""
        for s in stats {
            heat[s.elementId] = (s.activations, s.averageSeconds)
            let id = Self.esc(s.elementId)
            rows += "<tr data-stat=\"\(id)\"><td>\(id)</td><td>\(s.activations)</td>"
                + "<td>\(s.completions)</td><td>\(s.averageSeconds.map(Self.duration) ?? "—")</td></tr>"
        }
        let table = stats.isEmpty ? "<p class=muted>No activations yet.</p>"
            : "<table id=element-statistics><tr><th>element</th><th>activations</th><th>completed</th>"
                + "<th>average duration</th></tr>\(rows)</table>"
        return (heat, table)
    }

    /// What each waiting token of an instance waits for.
    func waiting(_ s: InstanceState, _ def: ProcessDefinition?) async throws -> String {
        let armed = try await runtime.store.timers(instanceId: s.id)
        let timers = Dictionary(armed.map { ($0.id, $0) }) { a, _ in a }
        var rows = ""
        for t in s.tokens where !t.wait.isScope {
            let what = try await waitText(t, s, def, timers)
            rows += "<tr data-token=\"\(Self.esc(t.id))\"><td>\(Self.esc(t.elementId))</td><td>\(what)</td></tr>"
            for b in t.boundaryTimers {
                guard let due = timers[b.timerId]?.dueAt ?? b.dueAt else { continue }
                rows += "<tr><td>\(Self.esc(b.boundaryElementId))</td><td class=timer>boundary timer on "
                    + "\(Self.esc(t.elementId)) fires at <time>\(Coding.iso(due))</time></td></tr>"
            }
        }
        return rows.isEmpty ? ""
            : "<h2>Waiting</h2><table id=waiting><tr><th>element</th><th>for</th></tr>\(rows)</table>"
    }

    func waitText(_ t: Token, _ s: InstanceState, _ def: ProcessDefinition?, _ timers: [String: TimerRecord])
        async throws -> String
    {
        func fires(_ id: String) -> String {
            timers[id].map { "fires at <time>\(Coding.iso($0.dueAt))</time>" } ?? "(timer not armed)"
        }
        switch t.wait {
        case .timer(let id): return "<span class=timer>timer \(fires(id))</span>"
        case .job(let id, let attempt): return try await jobText(id, attempt: attempt, s, def)
        case .retry(let timer, let id, let attempt):
            let job = try await jobText(id, attempt: attempt, s, def)
            return job + " · <span class=timer>next attempt \(fires(timer))</span>"
        case .userTask(let id): return "a person: <a href=\"/ui/tasks?task=\(Self.esc(id))\">task</a>"
        case .incident: return "<span class=error>an operator (incident)</span>"
        case .calledInstance(let id):
            return "called instance " + Self.instanceLink(id, class: "child")
        case .message(let name, let key):
            return "message <code>\(Self.esc(name))</code>" + (key.map { " key <code>\(Self.esc($0))</code>" } ?? "")
        case .signal(let name): return "signal <code>\(Self.esc(name))</code>"
        case .eventGateway(let armed):
            return "the first of " + armed.map { a in
                a.timerId.map { "\(Self.esc(a.elementId)) (timer \(fires($0)))" } ?? Self.esc(a.elementId)
            }.joined(separator: ", ")
        case .condition: return "a condition to hold"
        default: return Self.esc(String(String(describing: t.wait).prefix(40)))
        }
    }

    /// A job's type (its action), attempt, retries left and the worker holding it.
    func jobText(_ id: String, attempt: Int, _ s: InstanceState, _ def: ProcessDefinition?) async throws -> String {
        guard let (job, worker) = try await runtime.store.job(id) else { return "job <code>\(Self.esc(id))</code>" }
        let task = def?.element(job.elementId)?.jobTask
        let left = job.listenerRetries.map { max(0, $0 + 1 - job.attempt) } ?? task?.retriesLeft(atAttempt: job.attempt)
        return "<span class=job>job of type <code class=job-type>\(Self.esc(job.action))</code> · attempt \(attempt)"
            + (left.map { " · <span class=retries>\($0) retries left</span>" } ?? "")
            + (worker.map { " · locked by <code>\(Self.esc($0))</code>" } ?? " · not activated") + "</span>"
    }

    /// The instance's parent (a call activity's caller) and the instances it calls now.
    static func family(_ s: InstanceState) -> String {
        let children = s.tokens.compactMap { t -> String? in
            guard case .calledInstance(let id) = t.wait else { return nil }
            return instanceLink(id, class: "child") + " (from \(esc(t.elementId)))"
        }
        let parent = s.parent.map { "called by <a id=parent href=\"/ui/instances/\(esc($0.instanceId))\">"
            + "<code>\(esc($0.instanceId))</code></a>" }
        let parts = [parent, children.isEmpty ? nil : "calls " + children.joined(separator: ", ")].compactMap { $0 }
        return parts.isEmpty ? "" : "<p id=family>\(parts.joined(separator: " · "))</p>"
    }

    static func instanceLink(_ id: String, class name: String) -> String {
        "<a class=\(name) href=\"/ui/instances/\(esc(id))\"><code>\(esc(id))</code></a>"
    }
}
