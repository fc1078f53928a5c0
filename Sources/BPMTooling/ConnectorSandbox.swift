import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation

/// Where a simulated run's connector calls go: every call is recorded (action, resolved
/// payload, element, attempt, instance), then answered as the run says — by its connectors
/// (`bpm run`: `database_log` to standard error, no others), by recording only (`--dry-run`),
/// or by a test's stubs. A loop through connector calls that never lets the clock move is
/// stopped: past `Limits.steps` calls of one instance at one simulated instant, the call
/// fails with a `step_limit` incident naming the loop.
public final class ConnectorSandbox: @unchecked Sendable {
    /// A connector call made during the run.
    public struct Call: Sendable, Equatable {
        public var action: String
        public var payload: Value
        public var elementId: String
        public var attempt: Int
        public var instanceId: String
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    /// Per instance: the simulated instant of its last call, how many calls it made at that
    /// instant, and the elements of the last of them.
    private var bursts: [String: Burst] = [:]
    let clock: any EngineClock

    private struct Burst {
        var at: Date
        var count = 0
        var elements: [String] = []
    }

    public init(clock: any EngineClock) { self.clock = clock }

    /// Every call so far, in order.
    public var calls: [Call] { lock.withLock { recorded } }

    /// `registry` with this sandbox seeing (and bounding) every call it performs.
    public func wrap(_ registry: ConnectorRegistry) -> ConnectorRegistry {
        var r = registry
        r.interceptor = { [self] job in intercept(job) }
        return r
    }

    func intercept(_ job: JobRecord) -> Command? {
        let now = clock.now()
        let loop: [String]? = lock.withLock {
            recorded.append(Call(action: job.action, payload: job.payload, elementId: job.elementId, attempt: job.attempt,
                                 instanceId: job.instanceId))
            var b = bursts[job.instanceId].flatMap { $0.at == now ? $0 : nil } ?? Burst(at: now)
            b.count += 1
            b.elements.append(job.elementId)
            if b.elements.count > RunawayLoop.window { b.elements.removeFirst() }
            bursts[job.instanceId] = b
            return b.count > Limits.active.steps ? b.elements : nil
        }
        guard let loop else { return nil }
        var seen: Set<String> = []
        let cycle = RunawayLoop.cycle(in: loop, order: loop.filter { seen.insert($0).inserted })
        let through = (cycle + cycle.prefix(1)).joined(separator: " → ")
        return .jobFailed(jobId: job.id, message: "more than \(Limits.active.steps) connector calls at one simulated instant:"
                              + " the process loops through \(through) without the clock moving"
                              + " (\(Limits.Option.steps.rawValue) raises the bound)",
                          retryable: false, incidentType: "step_limit")
    }
}
