import BPMEngine
import Foundation

/// Due timers on their way to the group commit: each fired once while in flight (claimed
/// again by the next look only once its batch finished), and when the loop next looks.
struct TimerLoop: Sendable {
    /// Timers handed to the work queue whose batch has not finished.
    private(set) var inflight: Set<String> = []

    /// The due timers not already in flight, marked as in flight, in their order.
    mutating func take(_ due: [TimerRecord]) -> [TimerRecord] {
        due.filter { inflight.insert($0.id).inserted }
    }

    /// Timers whose batch finished (committed or not: stored ones are fetched again).
    mutating func done(_ ids: [String]) {
        for id in ids { inflight.remove(id) }
    }

    /// When to look again, having found nothing due: at the next due timer, but no later than
    /// the poll interval (timers committed meanwhile are seen within it).
    static func wake(now: Date, next: Date?, poll: Double) -> Date {
        let latest = now.addingTimeInterval(poll)
        guard let next, next > now else { return latest }
        return min(next, latest)
    }
}

/// The runtime's periodic chores, done by the timer loop when due: taking over jobs of dead
/// replicas, reading definitions other replicas deployed, reading the instance gauges, and
/// sweeping a page of window aggregates for keys gone quiet (`Runtime.pruneWindows`).
struct Housekeeping: Sendable {
    enum Chore: Equatable, Sendable {
        case takeOverJobs, refreshDefinitions, readLevels, pruneWindows
    }

    private(set) var lastTakeover = Date.distantPast
    private(set) var lastDefinitionRefresh = Date.distantPast
    private(set) var lastLevels = Date.distantPast
    private(set) var lastWindowPrune = Date.distantPast
    /// Where the window sweep goes on: the definition and the last key of the page before.
    var windowSweep: (definitionId: String, after: String?)?

    /// Seconds between reads of other replicas' definitions, and of the gauges.
    static let definitionRefresh = 5.0
    static let levels = 15.0
    /// Seconds between pages of the window sweep, and the most keys a page reads.
    static let windowPrune = 10.0
    static let windowPrunePage = 1000

    /// The chores due now. Takeovers (every quarter lease) and definition refreshes only
    /// matter on a store shared by replicas.
    func due(now: Date, shared: Bool, lease: Double) -> [Chore] {
        var out: [Chore] = []
        if shared, now.timeIntervalSince(lastTakeover) >= lease / 4 { out.append(.takeOverJobs) }
        if shared, now.timeIntervalSince(lastDefinitionRefresh) >= Self.definitionRefresh { out.append(.refreshDefinitions) }
        if now.timeIntervalSince(lastLevels) >= Self.levels { out.append(.readLevels) }
        if now.timeIntervalSince(lastWindowPrune) >= Self.windowPrune { out.append(.pruneWindows) }
        return out
    }

    mutating func tookOver(at now: Date) { lastTakeover = now }
    mutating func definitionsRead(at now: Date) { lastDefinitionRefresh = now }
    mutating func levelsRead(at now: Date) { lastLevels = now }
    mutating func windowsPruned(at now: Date) { lastWindowPrune = now }
}
