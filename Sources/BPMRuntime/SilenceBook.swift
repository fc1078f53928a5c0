import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The silence (and debounce) triggers' keys of one engine process, per definition: touched by
/// the batches that apply events, told which rows were committed, and asked by the timer loop
/// which keys went silent. In memory; each key's row (`event_windows`, definition id
/// `silence:` + the definition's) holds its last stored time and variables (see `SilenceTable`).
public final class SilenceBook: @unchecked Sendable {
    /// The prefix of the `event_windows` definition ids that hold silence rows.
    public static let namespace = "silence:"

    private let lock = NSLock()
    private var tables: [String: SilenceTable] = [:]

    public init() {}

    /// An event for a silence trigger's key; true when its row must be written.
    public func touch(_ definitionId: String, _ s: Silence, key: String, at: Double, variables: String) -> Bool {
        lock.withLock {
            if tables[definitionId]?.after != s.after {
                tables[definitionId] = SilenceTable(after: s.after, slack: s.slack)
            }
            return tables[definitionId]!.touch(key, at: at, variables: variables)
        }
    }

    /// Whether a key is armed (an event came since it last fired).
    public func contains(_ definitionId: String, key: String) -> Bool {
        lock.withLock { tables[definitionId]?.contains(key) ?? false }
    }

    /// Rows read after a restart; nothing fires before `notBefore`.
    public func restore(_ definitionId: String, _ s: Silence,
                        rows: [(key: String, stored: Double, variables: String, exact: Bool)],
                        now: Double, notBefore: Double)
    {
        lock.withLock {
            var t = SilenceTable(after: s.after, slack: s.slack)
            t.restore(rows, now: now)
            t.notBefore = notBefore
            tables[definitionId] = t
        }
    }

    /// Notes the silence rows of a committed batch.
    public func committed(_ windows: [WindowWrite]) {
        let rows = windows.filter { $0.definitionId.hasPrefix(Self.namespace) }
        guard !rows.isEmpty else { return }
        lock.withLock {
            for w in rows {
                guard let at = w.state?.contextValue?["seen"]?.doubleValue else { continue }
                tables[String(w.definitionId.dropFirst(Self.namespace.count))]?.committed(w.key, at: at)
            }
        }
    }

    /// The keys gone silent at `at`, per definition (at most `limit` in all).
    public func due(at: Double, limit: Int) -> [(definitionId: String, fire: SilenceTable.Fire)] {
        lock.withLock {
            var out: [(String, SilenceTable.Fire)] = []
            for id in tables.keys.sorted() where out.count < limit {
                out += tables[id]!.due(at: at, limit: limit - out.count).map { (id, $0) }
            }
            return out
        }
    }

    /// Every key whose row lags its last event, per definition.
    public func unsaved() -> [(definitionId: String, fire: SilenceTable.Fire)] {
        lock.withLock { tables.flatMap { id, t in t.unsaved().map { (id, $0) } } }
    }

    /// When the next key is due.
    public var nextDue: Double? { lock.withLock { tables.values.compactMap(\.nextDue).min() } }

    /// Keys tracked, in all.
    public var count: Int { lock.withLock { tables.values.reduce(0) { $0 + $1.count } } }

    /// Drops the tables of definitions without a silence trigger.
    public func keep(_ definitionIds: Set<String>) {
        lock.withLock { tables = tables.filter { definitionIds.contains($0.key) } }
    }

    /// The row stored for a key: when it was seen and its event's variables.
    static func row(at: Double, variables: [String: Value]) -> [String: Value] {
        ["seen": .number(at), "vars": .context(variables)]
    }
}
