import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// The task inbox: open tasks sorted by priority, creation or due date, with their dates; a
/// detail pane for the chosen task (claim, unclaim, assign, its form, completion).
extension UI {
    struct InboxParameters {
        var user: String?
        var group: String?
        var sort: TaskSort
        var selected: String?

        /// The inbox's URL with some parameters changed (nil or empty values left out).
        func link(_ changes: [String: String?]) -> String {
            var values: [String: String?] = ["user": user, "group": group, "sort": sort.rawValue, "task": selected]
            values.merge(changes) { _, new in new }
            var c = URLComponents()
            c.queryItems = values.compactMapValues { $0 }.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { URLQueryItem(name: $0.key, value: $0.value) }
            return "/ui/tasks" + (c.string ?? "")
        }
    }

    static func inboxParameters(_ req: Request) throws -> InboxParameters {
        let q = req.uri.queryParameters
        func text(_ name: String) -> String? { q.get(name).flatMap { $0.isEmpty ? nil : String($0) } }
        let sorts = ["priority", "created", "due"]
        let sort = try API.oneOf(q.get("sort"), "sort", sorts).flatMap(TaskSort.init(rawValue:)) ?? .priority
        return InboxParameters(user: text("user") ?? Auth.caller?.user, group: text("group"), sort: sort,
                               selected: text("task"))
    }

    /// The open tasks the inbox shows: a group's, or a user's (assigned to them or open to them).
    func taskList(_ p: InboxParameters) async throws -> [UserTaskRecord] {
        var query = TaskQuery(limit: 200)
        query.candidateGroup = p.group
        query.sort = p.sort
        let list = try await runtime.store.userTasks(query)
        guard let user = p.user, p.group == nil else { return list }
        return list.filter {
            $0.assignee == user || $0.assignee == nil && ($0.candidateUsers.isEmpty || $0.candidateUsers.contains(user))
        }
    }

    func tasks(_ req: Request) async throws -> Response {
        var p = try Self.inboxParameters(req)
        let list = try await taskList(p)
        // the chosen task, else the first of the list
        var pane = ""
        if let id = p.selected {
            guard let t = try await runtime.store.userTask(id) else { throw Runtime.RuntimeError.unknownTask(id) }
            pane = try await detail(t, p)
        } else if let first = list.first {
            p.selected = first.id
            pane = try await detail(first, p)
        }
        let rows = list.map { Self.taskRow($0, p) }.joined()
        let table = list.isEmpty ? "<p class=muted id=no-tasks>No open tasks.</p>" : """
        <table id=tasks><tr><th>task</th><th>process</th><th>\(Self.taskSortLink(p, .priority, "priority"))</th>
        <th>\(Self.taskSortLink(p, .created, "created"))</th><th>\(Self.taskSortLink(p, .due, "due"))</th>
        <th>assignee</th></tr>\(rows)</table>
        """
        let stream = Self.streamURL("tasks", req, seen: Self.fingerprint(list))
        let body = """
        <h1>Tasks</h1>
        <form method="get" action="/ui/tasks">user <input name="user" value="\(Self.esc(p.user ?? ""))">
        group <input name="group" value="\(Self.esc(p.group ?? ""))">
        <input type=hidden name=sort value="\(p.sort.rawValue)">
        <button id=show-tasks>show</button></form>
        <div class=inbox><div id=live data-stream="\(Self.esc(stream))">\(table)</div>
        \(pane)</div>
        \(Self.inboxScript)
        """
        return Self.page("Tasks", body)
    }

    static func taskRow(_ t: UserTaskRecord, _ p: InboxParameters) -> String {
        let chosen = t.id == p.selected ? " class=chosen" : ""
        return """
        <tr data-task="\(esc(t.id))"\(chosen)><td><a href="\(esc(p.link(["task": t.id])))">\
        \(esc(t.name ?? t.elementId))</a></td><td>\(esc(t.definitionId))</td><td>\(t.priority)</td>\
        <td>\(Coding.iso(t.createdAt))</td><td>\(t.dueAt.map(Coding.iso) ?? "")</td>\
        <td>\(esc(t.assignee ?? ""))</td></tr>
        """
    }

    static func taskSortLink(_ p: InboxParameters, _ sort: TaskSort, _ label: String) -> String {
        "<a id=sort-\(sort.rawValue) href=\"\(esc(p.link(["sort": sort.rawValue])))\">\(esc(label))"
            + "\(p.sort == sort ? " ▼" : "")</a>"
    }

    /// The chosen task: what it is, its dates, who may do it, claim/unclaim/assign, its form.
    func detail(_ t: UserTaskRecord, _ p: InboxParameters) async throws -> String {
        let id = Self.esc(t.id)
        let who = t.assignee.map { "assigned to <b id=task-assignee>\(Self.esc($0))</b>" } ?? "unassigned"
        let candidates = "groups: \(Self.esc(t.candidateGroups.joined(separator: ", "))) · users: "
            + Self.esc(t.candidateUsers.joined(separator: ", "))
        let variables = try await runtime.store.instance(t.instanceId)?.variables ?? [:]
        let open = t.status == "open"
        let form = open && Self.mayWork(on: t) ? try await completion(t, variables) : ""
        return """
        <section id=task-detail data-task="\(id)"><h2>\(Self.esc(t.name ?? t.elementId))</h2>
        <p>\(Self.esc(t.description ?? ""))</p>
        <table class=facts><tr><th>process</th><td>\(Self.esc(t.definitionId)) · <a href="/ui/instances/\
        \(Self.esc(t.instanceId))">instance</a> · \(Self.esc(t.elementId))</td></tr>
        <tr><th>status</th><td>\(Self.esc(t.status))</td></tr><tr><th>priority</th><td>\(t.priority)</td></tr>
        <tr><th>created</th><td>\(Coding.iso(t.createdAt))</td></tr>
        <tr><th>due</th><td id=task-due>\(t.dueAt.map(Coding.iso) ?? "—")</td></tr>
        <tr><th>follow-up</th><td>\(t.followUpAt.map(Coding.iso) ?? "—")</td></tr>
        <tr><th>assignee</th><td>\(who)</td></tr><tr><th>candidates</th><td>\(candidates)</td></tr></table>
        \(open ? Self.assignment(t, p) : "")
        \(form)
        \(open && !Self.mayWork(on: t) ? "<p class=muted>you are not a candidate of this task</p>" : "")
        <p id=task-problem class=error></p></section>
        """
    }

    /// Claim (for me), unclaim, and assign to a named user (operators).
    static func assignment(_ t: UserTaskRecord, _ p: InboxParameters) -> String {
        let id = esc(t.id)
        var out = "<p>"
        if let me = p.user, t.assignee == nil, mayWork(on: t) {
            out += "<button id=claim onclick=\"taskAct('/tasks/\(id)/claim',{user:'\(esc(me))'})\">claim</button> "
        }
        if t.assignee != nil, mayWork(on: t) {
            out += "<button id=unclaim onclick=\"taskAct('/tasks/\(id)/unclaim')\">unclaim</button> "
        }
        if may(.operator) {
            out += "<input id=assign-to placeholder=user size=12> <button id=assign onclick=\"taskAct('/tasks/\(id)/"
                + "assign',{assignee:document.getElementById('assign-to').value})\">assign</button>"
        }
        return out + "</p>"
    }
}
