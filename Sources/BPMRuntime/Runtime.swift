import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation
import Logging

/// Runs process instances durably: applies commands through the pure engine core, persists
/// each batch of transitions in one store transaction (group commit), then performs effects
/// (connector jobs) and fires due timers.
///
/// The runtime is made of named parts, each in a file of its own:
/// - the work queue and commands (`Runtime+Commands.swift`, `RuntimeWork.swift`);
/// - the group commit (`CommitPipeline`, the state machine deciding when a batch commits;
///   `BatchRecovery`, what a failed write means; `Runtime+GroupCommit.swift`, the driver;
///   `BatchContext`, one batch's work, with its snapshot of the deployed definitions);
/// - connector jobs (`JobDispatcher`, `Runtime+Jobs.swift`);
/// - timers and periodic chores (`TimerLoop`, `Runtime+Timers.swift`);
/// - jobs handed to waiting workers by the batch that creates them (`JobHandOff`, `Runtime+HandOff.swift`);
/// - definitions (`Runtime+Definitions.swift`), parked tasks (`Runtime+Parking.swift`), and
///   recovery at start (`Recovery`).
///
/// The same runtime runs `bpm serve` and, with a temporary store, a manual clock and a
/// recording connector sandbox, `bpm run` and `bpm test` (BPMTooling's `Simulation`).
public actor Runtime {
    public nonisolated let store: any ProcessStore
    public nonisolated let clock: any EngineClock
    let connectors: ConnectorRegistry
    let logger: Logger
    public internal(set) var registry = DefinitionRegistry()
    /// Deployed decisions, evaluated by business rule tasks and the API.
    public nonisolated let decisions = DecisionRegistry()
    /// This engine process, as named in claims on a store shared by replicas.
    public nonisolated let owner: String

    /// Most work items applied in one transaction.
    public var maxBatch = 2000 { didSet { pipeline.maxBatch = maxBatch } }
    /// Most connector jobs running at once.
    public var maxInflightJobs = 256 { didSet { jobs.maxRunning = maxInflightJobs } }
    /// How often the timer loop looks for timers added since it went to sleep (seconds).
    public var timerPollInterval = 0.1
    /// How long claimed timers and leased jobs stay this process's (seconds): after it dies,
    /// other replicas take them over once this runs out. Longer than any connector call.
    public var lease: Double = 60
    /// Whether timer start events schedule themselves (a simulated run starts its instances
    /// itself and turns this off).
    public private(set) var schedulesEnabled = true
    /// Where the engine's lifecycle events go (the outbox is written only when set).
    public private(set) var lifecycleTopic: String?
    /// The keys of silence and debounce triggers (`Runtime+Silence.swift`).
    public nonisolated let silences = SilenceBook()
    /// Window aggregates as committed, on a store not shared by replicas (`WindowCache`).
    nonisolated let windowCache = WindowCache()
    /// After a start, how long silences wait for the intake to replay what came meanwhile.
    public var silenceGrace: Double = 10

    // the parts' state
    var pipeline = CommitPipeline(maxBatch: 2000)
    var jobs = JobDispatcher(maxRunning: 256)
    var timers = TimerLoop()
    var housekeeping = Housekeeping()
    /// Versions already read from the store.
    var loadedVersions: Set<DefinitionRegistry.VersionKey> = []
    /// What the last deployment of each watched file gave (see `DefinitionWatcher`).
    public internal(set) var deployments: [String: DeploymentStatus] = [:]

    // the work queue and the drain loop
    var pending: [Pending] = []
    var draining = false
    /// The drain loop, waiting for work or for the batch in flight.
    var drainWakeup: CheckedContinuation<Void, Never>?
    var drainWaiters: [CheckedContinuation<Void, Never>] = []
    /// The end of the last closed batch (written, answered, conflicts applied again).
    var lastFinish: Task<Void, Never>?
    /// Correlation keys claimed (instance id) or released (nil) by closed batches not yet
    /// finished, oldest first: a batch reading running instances up front sees them without
    /// waiting for those batches (should one fail, what was built on it fails its revision
    /// or key check when written and is applied again).
    var keysInFlight: [(batch: Int, keys: [String: [String: String?]])] = []
    var closedBatches = 0

    // parked tasks
    var waiters: [WaitFor: [Int: CheckedContinuation<Void, Never>]] = [:]
    /// The last parked task's number (never reused: a late timeout or cancellation of one must
    /// not resume another).
    var lastWaiter = 0
    /// Workers waiting for jobs a batch hands them (`Runtime+HandOff.swift`), and how they are answered.
    var handOff = JobHandOff()
    var handsOffJobs = true
    var jobWaiters: [Int: CheckedContinuation<[ActivatedJob], Never>] = [:]
    /// Counts commits of worker jobs no waiter took: a worker that looked in the store before
    /// one looks again instead of waiting.
    var committedWithoutHandOff = 0
    /// By job type: the last store activation that left none activatable.
    var drained: [String: StoreDrained] = [:]
    var timerTask: Task<Void, Never>?
    /// Told every committed batch, in commit order.
    var commitObservers: [@Sendable (CommitBatch) -> Void] = []

    /// Which lists changed, told after every commit (the web UI's live pages follow it).
    public nonisolated let changes = ChangeFeed()

    /// Counters for `/metrics` and tests.
    public internal(set) var stats = Stats()

    public struct Stats: Sendable {
        public var batches = 0
        public var committedItems = 0
        public var maxBatchSize = 0
        /// Correlation keys that a batch's up-front read took from batches still being written
        /// (their claims and releases laid over the store's answer).
        public var keysSeenInFlight = 0
        /// Events correlated to an instance claimed by such a batch whose write then failed:
        /// the key was found free, and the event went on as if no instance held it.
        public var keysFoundReleased = 0
        /// Trigger starts dropped by a `throttle:` (since the process started).
        public var throttled = 0
        /// Trigger starts a throttle queued (`excess: queue`) to start later.
        public var throttleQueued = 0
    }

    public init(store: any ProcessStore, clock: any EngineClock = SystemClock(), connectors: ConnectorRegistry,
                logger: Logger = Logger(label: "bpm.runtime"), owner: String = Runtime.defaultOwner())
    {
        self.owner = owner
        self.store = store
        self.clock = clock
        var c = connectors
        c.registerInternal("decision", DecisionConnector(registry: decisions))
        self.connectors = c
        self.logger = logger
    }

    /// Sets how long claims last (seconds).
    public func configure(lease: Double) { self.lease = max(1, lease) }

    /// Sets where lifecycle events are published (nil: none).
    public func configure(lifecycleTopic: String?) { self.lifecycleTopic = lifecycleTopic }

    /// Sets whether waiting workers are handed new jobs by the commit that creates them (off:
    /// they look for them in the store; for comparisons).
    public func configure(jobHandOff: Bool) { handsOffJobs = jobHandOff }

    /// Sets how many connector jobs run at once.
    public func setMaxInflightJobs(_ n: Int) { maxInflightJobs = max(1, n) }

    /// Turns the schedules of timer start events off (before `start`): for simulated runs,
    /// which start their instances themselves.
    public func disableSchedules() { schedulesEnabled = false }

    /// Tells `observer` every batch once it is committed, in commit order (on the runtime's
    /// executor: it must return quickly).
    public func observeCommits(_ observer: @escaping @Sendable (CommitBatch) -> Void) { commitObservers.append(observer) }

    /// `host:pid:random`, unique per engine process.
    public static func defaultOwner() -> String {
        let p = ProcessInfo.processInfo
        return "\(p.hostName):\(p.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    // MARK: lifecycle

    /// Loads every stored definition version, re-dispatches jobs left pending by a crash and
    /// starts the timer loop.
    public func start(timerLoop: Bool = true) async throws {
        try await loadDefinitions()
        try await restoreSilences()
        if schedulesEnabled { try await store.commit(Recovery.startSchedules(registry, now: clock.now())) }
        let left = try await Recovery.jobsToResume(store, takeOver: takeOverJobs)
        if !left.isEmpty { logger.info("re-dispatching \(left.count) pending job(s) after restart") }
        for j in left { dispatch(j) }
        if timerLoop {
            timerTask = Task { [weak self] in await self?.runTimerLoop() }
        }
    }

    /// Stops the timer loop and waits for queued work to be committed.
    public func shutdown() async {
        timerTask?.cancel()
        timerTask = nil
        await waitIdle()
        await flushSilences()
    }

    /// Work not finished: items queued for commit and connector calls running or queued.
    public var inFlight: (queued: Int, jobs: Int) { (pending.count, jobs.unfinished) }
}
