import Foundation

/// How a timer trigger's schedule behaves as an object (`docs/dsl.md`): its name, what to do
/// when the previous run is still running, which due times missed during a downtime run,
/// a deterministic delay per due time, and whether it starts paused.
public struct ScheduleOptions: Sendable, Equatable {
    /// What a due time does while the schedule's previous run is still running.
    public enum Overlap: String, Sendable, CaseIterable {
        /// Not started.
        case skip
        /// Kept (at most one): started once the running one has ended.
        case bufferOne = "buffer_one"
        /// Started beside it (the default).
        case allowAll = "allow_all"
        /// The running one is cancelled, then the new one starts.
        case cancelOther = "cancel_other"
    }

    /// Which missed due times within the window run after a downtime.
    public enum CatchUpPolicy: String, Sendable, CaseIterable { case all, last }

    public struct CatchUp: Sendable, Equatable {
        /// Seconds before now a missed due time may lie and still run.
        public var window: Double
        public var policy: CatchUpPolicy

        public init(window: Double, policy: CatchUpPolicy) {
            self.window = window
            self.policy = policy
        }
    }

    /// Names the schedule (its id is `<definition>:<name>`; without a name, `<definition>:0`).
    public var name: String?
    public var overlap: Overlap = .allowAll
    /// nil: missed due times collapse into one start, whenever the engine runs again.
    public var catchUp: CatchUp?
    /// Up to this many seconds added to each due time, the same on every replica.
    public var jitter: Double = 0
    /// Whether the schedule starts paused (until resumed through the API).
    public var paused = false

    public init(name: String? = nil, overlap: Overlap = .allowAll, catchUp: CatchUp? = nil, jitter: Double = 0,
                paused: Bool = false) {
        self.name = name
        self.overlap = overlap
        self.catchUp = catchUp
        self.jitter = jitter
        self.paused = paused
    }
}

/// A timer start event of a definition, seen as a schedule object.
public struct ScheduleSpec: Sendable {
    public var id: String
    public var elementId: String
    public var schedule: TimerSchedule
    public var options: ScheduleOptions
}

extension ProcessDefinition {
    /// The definition's schedules: a YAML timer trigger's (with its options) and BPMN timer
    /// start events' (default options, named by element id).
    public var schedules: [ScheduleSpec] {
        timerStartEvents.enumerated().compactMap { index, e in
            guard case .timerStartEvent(let s) = e.kind else { return nil }
            if let t = trigger, t.kind == .timer {
                let options = t.scheduleOptions
                return ScheduleSpec(id: "\(id):\(options.name ?? String(index))", elementId: e.id, schedule: s,
                                    options: options)
            }
            return ScheduleSpec(id: "\(id):\(e.id)", elementId: e.id, schedule: s, options: ScheduleOptions())
        }
    }
}

extension TimerSchedule {
    /// The kind (`cron`, `every`, `cycle`, `at`, `after`), the text and the time zone of a
    /// schedule, as the API and `bpm schedules` show it.
    public var summary: (kind: String, text: String, timeZone: String?) {
        func seconds(_ d: Double) -> String { d == d.rounded() ? "\(Int(d))s" : "\(d)s" }
        func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
        switch self {
        case .cron(let c): return ("cron", c.text, c.timeZone.identifier)
        case .cycle(nil, let interval, nil): return ("every", seconds(interval), nil)
        case .cycle(let reps, let interval, let start):
            let from = start.map { iso($0) + "/" } ?? ""
            return ("cycle", "R\(reps.map(String.init) ?? "")/\(from)PT\(seconds(interval).uppercased())", nil)
        case .date(let d): return ("at", iso(d), nil)
        case .duration(let d): return ("after", seconds(d), nil)
        }
    }
}
