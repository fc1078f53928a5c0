import Foundation

/// A trigger that fires on the **absence** of events: no event matching the trigger's condition
/// for a correlation key within `after` seconds (`silence: {after: 5m}`), or the quiet after a
/// burst (`debounce: 30s`). Either way the definition's instance for the key starts (or the
/// running one is correlated, or `message` is published) with the variables of the key's last
/// event; the next event for the key arms it again.
public struct Silence: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// `silence:` — the device went quiet.
        case silence
        /// `debounce:` — start after a burst, once it has been quiet for `after`.
        case debounce
    }

    public var kind: Kind
    /// Seconds without a matching event for the key.
    public var after: Double
    /// Publish this message (correlation key: the key) instead of starting an instance.
    public var message: String?

    public init(kind: Kind = .silence, after: Double, message: String? = nil) {
        self.kind = kind
        self.after = after
        self.message = message
    }

    /// How far behind its last event a key's stored time may be: a key's row is written when
    /// its first event comes and then at most once per `slack` (a tenth of `after`, at least
    /// 10 ms), however many events it gets. After a crash a silence therefore fires at most
    /// `slack` late, never early.
    public var slack: Double { max(after / 10, 0.01) }
}
