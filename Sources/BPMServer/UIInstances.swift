import BPMEngine
import BPMStore
import Foundation
import Hummingbird

/// The instance list: filtered, sorted and paged by the store (keyset cursors `after`/`before`
/// in the next and previous links, `offset` numbering the rows; `offset` alone skips rows),
/// with business key, start and end time, duration and an incident marker.
extension UI {
    struct ListParameters {
        var query: InstanceQuery
        var values: [String: String]

        /// The list's URL with some parameters changed (empty values left out).
        func link(_ changes: [String: String]) -> String {
            var c = URLComponents()
            c.queryItems = values.merging(changes) { _, new in new }.filter { !$0.value.isEmpty }
                .sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            return "/ui/instances" + (c.string ?? "")
        }
    }

    static func listParameters(_ req: Request) throws -> ListParameters {
        let q = req.uri.queryParameters
        func text(_ name: String) -> String? { q.get(name).flatMap { $0.isEmpty ? nil : String($0) } }
        var values: [String: String] = [:]
        let names = ["definitionId", "status", "businessKey", "correlationKey", "waitingAt", "sort", "order", "limit",
                     "offset", "after", "before"]
        for name in names {
            values[name] = text(name)
        }
        let limit = try API.int(values["limit"], "limit", default: 50, max: 1000)
        // `page` (50 a page) is the older form of the same
        let page = Int(text("page") ?? "") ?? 0
        let offset = try API.int(values["offset"], "offset", default: max(0, page) * limit, max: Int.max)
        var query = InstanceQuery(limit: limit, offset: offset)
        query.definitionId = values["definitionId"]
        query.status = values["status"].flatMap { InstanceStatus(rawValue: $0) }
        query.businessKey = values["businessKey"]
        query.correlationKey = values["correlationKey"]
        query.waitingAt = values["waitingAt"]
        query.sort = values["sort"].flatMap { InstanceSort(rawValue: $0) } ?? .started
        query.ascending = values["order"] == "asc"
        query.after = try cursor(values["after"], "after")
        query.before = try cursor(values["before"], "before")
        values["offset"] = String(offset)
        return ListParameters(query: query, values: values)
    }

    static func cursor(_ token: String?, _ name: String) throws -> InstanceCursor? {
        guard let token else { return nil }
        guard let c = InstanceCursor(token: token) else {
            throw Problem(.badRequest, "invalid-parameter", "Invalid parameter",
                          "'\(name)' is not a cursor of this list")
        }
        return c
    }

    /// "3 h 12 min", "45 s": how long an instance ran (or has run so far).
    static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        if s < 86400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86400) d \(s % 86400 / 3600) h"
    }

    /// A page of instances with their open incident counts.
    func instanceList(_ query: InstanceQuery) async throws -> ([InstanceSummary], [String: Int]) {
        var list = try await runtime.store.instances(query)
        // a page back comes nearest first
        if query.before != nil { list.reverse() }
        var marked = IncidentQuery(limit: 1000)
        marked.instanceIds = list.map(\.id)
        var incidents: [String: Int] = [:]
        for i in try await runtime.store.incidents(marked) { incidents[i.incident.instanceId, default: 0] += 1 }
        return (list, incidents)
    }

    func instances(_ req: Request) async throws -> Response {
        let p = try Self.listParameters(req)
        let query = p.query
        let (list, incidents) = try await instanceList(query)
        let now = runtime.clock.now()
        var rows = ""
        for i in list { rows += Self.instanceRow(i, incidents: incidents[i.id] ?? 0, now: now) }
        let first = query.offset + 1, last = query.offset + list.count
        let (back, forward) = Self.pageLinks(p, list)
        let previous = back.map { "<a id=previous-page href=\"\(Self.esc($0))\">← previous</a> " } ?? ""
        let next = forward.map { "<a id=next-page href=\"\(Self.esc($0))\">next →</a>" } ?? ""
        let shown = list.isEmpty ? "no instances" : "instances \(first)–\(last)"
        let stream = Self.streamURL("instances", req, seen: Self.fingerprint(list, incidents))
        let body = """
        <h1>Instances</h1>
        \(Self.instanceFilter(p))<p></p>
        <div id=live data-stream="\(Self.esc(stream))">
        <table id=instances><tr><th>id</th><th>definition</th><th>status</th><th>waiting at</th>
        <th>\(Self.sortLink(p, .businessKey, "business key"))</th><th>\(Self.sortLink(p, .started, "started"))</th>
        <th>\(Self.sortLink(p, .ended, "ended"))</th><th>duration</th></tr>\(rows)</table>
        <p><span id=shown class=muted>\(shown)</span> \(previous)\(next)</p></div>
        """
        return Self.page("Instances", body)
    }

    /// The previous and next pages: keyset cursors at this page's first and last rows (`offset`
    /// only numbers the rows); back to the first page, no cursor.
    static func pageLinks(_ p: ListParameters, _ list: [InstanceSummary]) -> (String?, String?) {
        let q = p.query
        var back: String?, forward: String?
        if q.offset > 0 {
            let first = list.first.map { InstanceCursor(after: $0, sort: q.sort).token }
            back = q.offset <= q.limit || first == nil
                ? p.link(["offset": "0", "after": "", "before": ""])
                : p.link(["offset": String(q.offset - q.limit), "after": "", "before": first ?? ""])
        }
        if list.count == q.limit, let last = list.last {
            forward = p.link(["offset": String(q.offset + q.limit), "before": "",
                              "after": InstanceCursor(after: last, sort: q.sort).token])
        }
        return (back, forward)
    }

    static func instanceRow(_ i: InstanceSummary, incidents: Int, now: Date) -> String {
        let marker = incidents == 0 ? ""
            : " <a class=\"error incident-marker\" href=\"/ui/incidents?instanceId=\(esc(i.id))\" "
                + "title=\"open incidents\">⚠ \(incidents)</a>"
        let end = i.completedAt.map(Coding.iso) ?? ""
        let took = duration((i.completedAt ?? now).timeIntervalSince(i.startedAt))
            + (i.completedAt == nil ? " so far" : "")
        return """
        <tr data-instance="\(esc(i.id))">\
        <td><a href="/ui/instances/\(esc(i.id))"><code>\(esc(i.id))</code></a>\(marker)</td>\
        <td>\(esc(i.definitionId)) v\(i.definitionVersion)</td><td>\(statusBadge(i.status.rawValue))</td>\
        <td>\(esc(i.currentActivity ?? ""))</td><td>\(esc(i.businessKey ?? ""))</td><td>\(Coding.iso(i.startedAt))</td>\
        <td>\(end)</td><td>\(took)</td></tr>
        """
    }

    /// A column heading that sorts by it (a second click reverses the order).
    static func sortLink(_ p: ListParameters, _ sort: InstanceSort, _ label: String) -> String {
        let current = p.query.sort == sort
        let order = current && !p.query.ascending ? "asc" : "desc"
        let arrow = current ? (p.query.ascending ? " ▲" : " ▼") : ""
        let href = esc(p.link(["sort": sort.rawValue, "order": order, "offset": "0", "after": "", "before": ""]))
        return "<a href=\"\(href)\">\(esc(label))\(arrow)</a>"
    }

    static func instanceFilter(_ p: ListParameters) -> String {
        let status = p.query.status?.rawValue ?? ""
        let options = ["", "running", "suspended", "completed", "failed", "terminated"].map { s in
            "<option\(status == s ? " selected" : "")>\(s)</option>"
        }.joined()
        return """
        <form method="get" action="/ui/instances">
        definition <input name="definitionId" value="\(esc(p.values["definitionId"] ?? ""))">
        status <select name="status">\(options)</select>
        business key <input name="businessKey" value="\(esc(p.values["businessKey"] ?? ""))">
        waiting at <input name="waitingAt" size=14 value="\(esc(p.values["waitingAt"] ?? ""))">
        <input type=hidden name=sort value="\(esc(p.query.sort.rawValue))">
        <input type=hidden name=order value="\(p.query.ascending ? "asc" : "desc")">
        per page <input name="limit" size=4 value="\(p.query.limit)">
        <button>filter</button></form>
        """
    }
}
