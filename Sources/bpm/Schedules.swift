import ArgumentParser
import BPMModel
import BPMRuntime
import Foundation

struct Schedules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Preview the schedules of definition files: id, options and the next due times.",
        discussion: """
        For each timer trigger (or BPMN timer start event) prints its id, its schedule and options, then
        the next due times as if deployed at --from (default now), in UTC and in the schedule's time
        zone, before jitter. Exit 1 when a file does not read or has problems (printed as FILE:LINE:COL).
        """
    )

    @Argument(help: "Definition files (YAML or BPMN).")
    var files: [String]

    @Option(help: "How many due times to show per schedule.")
    var next = 5

    @Option(help: "Deploy time of the preview (ISO 8601, e.g. 2026-03-28T12:00:00Z); default now.")
    var from: String?

    func run() throws {
        guard (0...1000).contains(next) else { throw ValidationError("--next must be between 0 and 1000") }
        var now = Date()
        if let from {
            guard let d = ISODate.parse(from) else { throw ValidationError("--from must be an ISO 8601 date-time") }
            now = d
        }
        var failed = false
        for file in files {
            do {
                for def in try DefinitionLoader.parseAll(source: try DefinitionLoader.read(path: file), file: file) {
                    for spec in def.schedules { print(Self.describe(spec, now: now, count: next)) }
                }
            } catch {
                failed = true
                for e in error.errors { printError(e.description) }
            }
        }
        if failed { throw ExitCode(1) }
    }

    static func describe(_ spec: ScheduleSpec, now: Date, count: Int) -> String {
        let o = spec.options
        var zone = TimeZone(identifier: "UTC")!
        if case .cron(let c) = spec.schedule { zone = c.timeZone }
        let (kind, text, _) = spec.schedule.summary
        var head = "\(spec.id): \(kind) \(text)\(zone.identifier == "UTC" ? "" : " (" + zone.identifier + ")")"
        head += " overlap=\(o.overlap.rawValue)"
        if let c = o.catchUp { head += " catch_up=\(Int(c.window))s/\(c.policy.rawValue)" }
        if o.jitter > 0 { head += " jitter=\(o.jitter)s" }
        if o.paused { head += " paused" }
        let local = DateFormatter()
        local.timeZone = zone
        local.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        local.locale = Locale(identifier: "en_US_POSIX")
        let iso = ISO8601DateFormatter()
        let first = ScheduleTimes.first(spec.schedule, now: now)
        let times = first.map { ScheduleTimes.upcoming(spec.schedule, from: $0, count: count) } ?? []
        return ([head] + times.map { "  \(iso.string(from: $0))  \(local.string(from: $0)) (\(zone.identifier))" })
            .joined(separator: "\n")
    }
}
