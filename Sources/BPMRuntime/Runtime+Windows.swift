import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The sweep of window aggregates (`windows:`): a key's row would otherwise stay in
/// `event_windows` for good once its device stops sending. Every `Housekeeping.windowPrune`
/// seconds the timer loop reads one page (at most `Housekeeping.windowPrunePage` keys, in key
/// order) of one windowed definition's rows, going on where the last page stopped and on to the
/// next definition at the end; the keys gone quiet (`WindowAggregates.expired`) are deleted by a
/// work item, through the group commit, which reads each again first — so a key an event fed
/// meanwhile stays, and on a store shared by replicas the delete holds only if no replica changed
/// the row since. The work per page is bounded; a full round over N keys takes N / page pages.
extension Runtime {
    /// One page of the sweep; how many keys it found gone quiet (queued to be deleted).
    @discardableResult
    func pruneWindows(limit: Int = Housekeeping.windowPrunePage) async throws -> Int {
        let windowed = registry.all.map(\.0).filter { !($0.trigger?.windows.isEmpty ?? true) }
        guard let first = windowed.first else {
            housekeeping.windowSweep = nil
            return 0
        }
        var at = housekeeping.windowSweep ?? (first.id, nil)
        if !windowed.contains(where: { $0.id == at.definitionId }) {
            at = (windowed.first { $0.id > at.definitionId }?.id ?? first.id, nil)
        }
        guard let def = windowed.first(where: { $0.id == at.definitionId }) else { return 0 }
        let rows = try await store.eventWindows(definitionId: BatchContext.windowNamespace + def.id,
                                                after: at.after, limit: limit)
        if rows.count < limit {
            // this definition is done: the next one (in id order) from its first key
            housekeeping.windowSweep = ((windowed.first { $0.id > def.id } ?? first).id, nil)
        } else {
            housekeeping.windowSweep = (def.id, rows.last?.key)
        }
        let now = clock.now().timeIntervalSince1970
        let windows = def.trigger?.windows ?? []
        let quiet = rows.filter { WindowAggregates.expired($0.state.contextValue ?? [:], windows, now: now) }.map(\.key)
        if !quiet.isEmpty { enqueue(.pruneWindows(definitionId: def.id, keys: quiet)) }
        return quiet.count
    }
}
