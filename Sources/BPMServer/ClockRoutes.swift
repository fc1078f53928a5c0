import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

/// `GET /clock`, `PUT /clock` and `POST /clock/reset`: the engine's time, which tests may pin
/// when the server runs with `--clock-control` (as Camunda 8's controlled clock): a pinned
/// clock stands still, due timers fire at once, and the timer loop sees a new pin within its
/// poll interval.
struct ClockRoutes: Sendable {
    let clock: ControlledClock?
    let runtime: Runtime

    /// `{"now", "pinned", "controlled"}`.
    func now() -> Value {
        let now = clock?.now() ?? runtime.clock.now()
        return ["now": .string(Coding.iso(now)), "pinned": .bool(clock?.pin != nil), "controlled": .bool(clock != nil)]
    }

    /// Pins the clock at `{"timestamp": …}`: an ISO 8601 date and time, or milliseconds since
    /// the epoch.
    func pin(_ body: String) throws -> Value {
        let clock = try controlled()
        let o = try API.object(body)
        let at: Date
        switch o["timestamp"] {
        case .string(let s)?:
            guard let d = ISODate.parse(s) else { throw invalid("'timestamp' is not an ISO 8601 date and time: '\(s)'") }
            at = d
        case .number(let ms)? where ms.isFinite:
            at = Date(timeIntervalSince1970: ms / 1000)
        default:
            throw invalid("the body needs 'timestamp': an ISO 8601 date and time, or milliseconds since the epoch")
        }
        clock.pin(at)
        return now()
    }

    /// Lets the clock follow the wall clock again.
    func reset() throws -> Value {
        try controlled().reset()
        return now()
    }

    private func controlled() throws -> ControlledClock {
        guard let clock else {
            throw Problem(.forbidden, "clock-not-controlled", "The clock is not controlled",
                          "the engine's clock can be pinned only when bpm serve runs with --clock-control (for tests)")
        }
        return clock
    }

    private func invalid(_ detail: String) -> Problem { Problem(.badRequest, "invalid-timestamp", "Invalid timestamp", detail) }
}
