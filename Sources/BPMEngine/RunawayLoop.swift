import BPMModel

/// Names the loop an instance ran around when it hit the step limit: the shortest cycle
/// that the last steps repeat.
public enum RunawayLoop {
    /// How many of the last steps are kept to find the cycle.
    public static let window = 1_000

    /// The shortest sequence of elements that the end of `steps` repeats at least twice,
    /// starting with the one declared first in the process (`order`); the whole tail when
    /// nothing repeats.
    public static func cycle(in steps: [String], order: [String]) -> [String] {
        var cycle = Array(steps.suffix(steps.count < 2 ? steps.count : steps.count / 2))
        for p in 1...max(1, steps.count / 2) where steps.count >= 2 * p {
            if Array(steps.suffix(p)) == Array(steps.suffix(2 * p).prefix(p)) {
                cycle = Array(steps.suffix(p))
                break
            }
        }
        guard !cycle.isEmpty else { return [] }
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: min)
        let first = cycle.indices.min { (rank[cycle[$0]] ?? .max, $0) < (rank[cycle[$1]] ?? .max, $1) } ?? 0
        return Array(cycle[first...] + cycle[..<first])
    }

    /// The incident's message, naming the loop and the option that raises the bound.
    static func message(_ loop: [String]) -> String {
        let through = loop.isEmpty ? "" : " through " + (loop + [loop[0]]).joined(separator: " → ")
        return "more than \(Engine.stepLimit) steps without waiting: the process loops\(through) without a wait state"
            + " (\(Limits.Option.steps.rawValue) raises the bound)"
    }
}
