import Foundation

/// The time `now()` and `today()` read: the engine's clock while the engine evaluates (set
/// around each `Engine.start` and `Engine.apply`, so a simulated clock under `bpm test` and
/// `bpm run --dry-run` is the one expressions see), the wall clock elsewhere.
public enum EvaluationClock {
    @TaskLocal public static var now: Date?

    /// The time an expression evaluated now sees.
    public static var current: Date { now ?? Date() }
}
