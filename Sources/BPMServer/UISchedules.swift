import BPMEngine
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// The schedules page: every schedule with its state, last fire and next due times; pause and
/// resume for operators.
extension UI {
    func schedules() async throws -> Response {
        let list = try await runtime.schedules(count: 5)
        let operate = Self.may(.operator)
        var rows = ""
        for s in list {
            let id = Self.esc(s.spec.id)
            let (kind, expression, zone) = s.spec.schedule.summary
            let action = s.paused ? "resume" : "pause"
            let button = operate ? "<button onclick=\"act('/schedules/\(id)/\(action)')\">\(action)</button>" : ""
            let last = s.lastFire.map {
                "\(Coding.iso($0.dueAt)) <a href=\"/ui/instances/\(Self.esc($0.instanceId))\">instance</a>"
            } ?? "<span class=muted>never</span>"
            rows += """
            <tr data-schedule="\(id)"><td><code>\(id)</code></td>\
            <td><a href="/ui/definitions/\(Self.esc(s.definitionId))">\(Self.esc(s.definitionId))</a> \
            v\(s.version)</td>\
            <td>\(Self.esc(kind)) <code>\(Self.esc(expression))</code>\(zone.map { " " + Self.esc($0) } ?? "")</td>\
            <td class="state">\(s.paused ? "<span class=status-suspended>paused</span>" : "active")</td>\
            <td>\(Self.esc(s.spec.options.overlap.rawValue))</td><td>\(last)</td>\
            <td>\(s.next.map { Coding.iso($0) }.joined(separator: "<br>"))</td><td>\(button)</td></tr>
            """
        }
        let body = """
        <h1>Schedules</h1>
        <table id=schedules><tr><th>id</th><th>definition</th><th>schedule</th><th>state</th><th>overlap</th>
        <th>last fire</th><th>next due (UTC)</th><th></th></tr>\(rows)</table>
        \(list.isEmpty ? "<p class=muted id=no-schedules>No deployed definition runs on a schedule.</p>" : "")
        """
        return Self.page("Schedules", body)
    }
}
