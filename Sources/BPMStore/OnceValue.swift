/// A value set once, from any thread, and awaited by one task. Later sets are ignored, so the
/// first of several racers (an answer, a timeout, a cancellation) decides.
public final class OnceValue<T: Sendable>: Sendable {
    private enum State { case empty, waiting(CheckedContinuation<T, Never>), done(T) }
    private let state = Locked<State>(.empty)

    public init() {}

    public func set(_ value: T) {
        let waiter: CheckedContinuation<T, Never>? = state.withLock { s in
            switch s {
            case .done: return nil
            case .waiting(let c): s = .done(value); return c
            case .empty: s = .done(value); return nil
            }
        }
        waiter?.resume(returning: value)
    }

    public var value: T {
        get async {
            await withCheckedContinuation { c in
                let ready: T? = state.withLock { s in
                    if case .done(let v) = s { return v }
                    s = .waiting(c)
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        }
    }
}
