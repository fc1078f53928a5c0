import BPMStore
import Foundation

/// Assigns Zeebe keys in the store for many callers at once: while one store call runs, the
/// refs asked for meanwhile wait, and the next call takes them all (a group commit for keys).
/// So a burst of instance starts or job activations costs a few store transactions, not one
/// each, and they do not queue one by one behind the engine's commits.
final class KeyAssigner: Sendable {
    typealias Waiter = (refs: [KeyRef], continuation: CheckedContinuation<[Int64], any Error>)

    let store: any ProcessStore
    /// Whether a store call runs, and who waits for the next.
    private let state = Locked<(running: Bool, waiting: [Waiter])>((false, []))

    init(store: any ProcessStore) { self.store = store }

    /// The numbers of `refs`, assigned where missing, in their order.
    func numbers(_ refs: [KeyRef]) async throws -> [Int64] {
        try await withCheckedThrowingContinuation { c in
            let lead = state.withLock { s in
                s.waiting.append((refs, c))
                if s.running { return false }
                s.running = true
                return true
            }
            if lead { Task { await self.run() } }
        }
    }

    /// Store calls, each for everything asked since the one before, until nobody waits.
    private func run() async {
        while let round = next() {
            let distinct = Array(Set(round.flatMap(\.refs)))
            do {
                let numbers = try await store.camundaKeys(distinct)
                let byRef = Dictionary(zip(distinct, numbers), uniquingKeysWith: { a, _ in a })
                for w in round { w.continuation.resume(returning: w.refs.map { byRef[$0]! }) }
            } catch {
                for w in round { w.continuation.resume(throwing: error) }
            }
        }
    }

    /// Who waits now (taken for the next store call), or nil when nobody does (no call runs then).
    private func next() -> [Waiter]? {
        state.withLock { s in
            guard !s.waiting.isEmpty else {
                s.running = false
                return nil
            }
            defer { s.waiting = [] }
            return s.waiting
        }
    }
}
