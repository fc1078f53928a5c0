import BPMExpressions
import BPMStore
import Foundation

/// The window aggregates (`window:` rows of `event_windows`) of one engine process as its
/// batches committed them, so that a key's row is read from the store once, not once per
/// batch, and its JSON not decoded again. Only on a store not shared by replicas: this process
/// is then the rows' only writer (on a shared store another replica's write would not be seen,
/// and every batch reads the rows it uses). Filled from committed batches only, so a batch that
/// failed leaves nothing behind; a batch reads it after the batch before it has finished (as it
/// reads the store). Bounded: past `capacity` keys an arbitrary one is dropped, to be read from
/// the store again when next needed.
final class WindowCache: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [BatchContext.WindowKey: [String: Value]] = [:]
    let capacity: Int

    init(capacity: Int = WindowCache.defaultCapacity) { self.capacity = max(1, capacity) }

    /// Keys kept unless told otherwise: at most a few KiB each (the windows' buckets).
    static let defaultCapacity = 100_000

    /// A key's windows as last committed; nil when not known here (read the store).
    func state(_ k: BatchContext.WindowKey) -> [String: Value]? { lock.withLock { states[k] } }

    /// Keys held.
    var count: Int { lock.withLock { states.count } }

    /// Takes the window-aggregate rows of a committed batch.
    func committed(_ windows: [WindowWrite]) {
        let rows = windows.filter { $0.definitionId.hasPrefix(BatchContext.windowNamespace) }
        guard !rows.isEmpty else { return }
        lock.withLock {
            for w in rows {
                let k = BatchContext.WindowKey(definitionId: w.definitionId, key: w.key)
                guard let state = w.state?.contextValue else {
                    states[k] = nil
                    continue
                }
                if states[k] == nil, states.count >= capacity { states.remove(at: states.startIndex) }
                states[k] = state
            }
        }
    }
}
