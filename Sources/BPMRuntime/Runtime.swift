import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation
import Logging

/// Runs process instances durably: applies commands through the pure engine core, persists
/// each batch of transitions in one store transaction (group commit), then performs effects
/// (connector jobs) and fires due timers.
public actor Runtime {
    public nonisolated let store: any ProcessStore
    public nonisolated let clock: any EngineClock
    let connectors: ConnectorRegistry
    let logger: Logger
    public private(set) var registry = DefinitionRegistry()
    /// Deployed decisions, evaluated by business rule tasks and the API.
    public nonisolated let decisions = DecisionRegistry()

    /// Most work items applied in one transaction.
    public var maxBatch = 2000
    /// Most connector jobs running at once.
    public var maxInflightJobs = 256
    /// How often the timer loop looks for timers added since it went to sleep (seconds).
    public var timerPollInterval = 0.1
    /// This engine process, as named in claims on a store shared by replicas.
    public nonisolated let owner: String
    /// How long claimed timers and leased jobs stay this process's (seconds): after it dies,
    /// other replicas take them over once this runs out. Longer than any connector call.
    public var lease: Double = 60
    /// When the last look for jobs orphaned by a dead replica happened.
    var lastTakeover = Date.distantPast
    /// When the active-instance gauges were last read from the store.
    var lastLevels = Date.distantPast

    var pending: [Pending] = []
    var draining = false
    /// Tasks parked until the runtime is idle, or until jobs of a type are written.
    var waiters: [WaitFor: [Int: CheckedContinuation<Void, Never>]] = [:]
    /// The last parked task's number (never reused: a late timeout or cancellation of one must
    /// not resume another).
    var lastWaiter = 0
    var drainWaiters: [CheckedContinuation<Void, Never>] = []
    /// The drain loop, waiting for work or for the batch in flight.
    var drainWakeup: CheckedContinuation<Void, Never>?
    /// Closed batches not yet written, and not yet answered.
    var writesQueued = 0
    var batchesInFlight = 0
    /// The end of the last closed batch (written, answered, conflicts applied again).
    var lastFinish: Task<Void, Never>?
    /// Correlation keys claimed (instance id) or released (nil) by closed batches not yet
    /// finished, oldest first: a batch reading running instances up front sees them without
    /// waiting for those batches (should one fail, what was built on it fails its revision
    /// or key check when written and is applied again).
    var keysInFlight: [(batch: Int, keys: [String: [String: String?]])] = []
    var closedBatches = 0
    var inflightTimers: Set<String> = []
    var inflightJobs: Set<String> = []
    var queuedJobs: [JobRecord] = []
    var runningJobs = 0
    var timerTask: Task<Void, Never>?
    /// Counters for `/metrics` and tests.
    public private(set) var stats = Stats()

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
    }

    func count(keysSeenInFlight n: Int) { stats.keysSeenInFlight += n }
    func countKeyFoundReleased() { stats.keysFoundReleased += 1 }

    public init(store: any ProcessStore, clock: any EngineClock = SystemClock(), connectors: ConnectorRegistry, logger: Logger = Logger(label: "bpm.runtime"),
                owner: String = Runtime.defaultOwner())
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

    /// `host:pid:random`, unique per engine process.
    public static func defaultOwner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    // MARK: lifecycle

    /// Loads every stored definition version, re-dispatches jobs left pending by a crash and
    /// starts the timer loop.
    public func start(timerLoop: Bool = true) async throws {
        try await loadDefinitions()
        // timer start events of the latest versions (kept as they are when already stored)
        var ensure = CommitBatch()
        for (def, version) in registry.all { ensure.timersToEnsure += StartTimers.initial(def, version: version, now: clock.now()) }
        try await store.commit(ensure)
        // alone on the store: every stored job was left by a crash; shared: only expired leases
        let jobs = store.sharedByReplicas ? try await takeOverJobs() : try await store.pendingJobs(limit: 1_000_000)
        if !jobs.isEmpty { logger.info("re-dispatching \(jobs.count) pending job(s) after restart") }
        for j in jobs { dispatch(j) }
        if timerLoop {
            timerTask = Task { [weak self] in await self?.runTimerLoop() }
        }
    }

    /// Versions already read from the store (`id` + version).
    var loadedVersions: Set<String> = []
    var lastDefinitionRefresh = Date.distantPast

    /// Reads stored definition versions not yet in memory: at start, and on a store shared by
    /// replicas whenever another replica may have deployed one (every few seconds, and when
    /// an instance names a version this process has not seen).
    func loadDefinitions() async throws {
        lastDefinitionRefresh = clock.now()
        for rec in try await store.definitions() where !loadedVersions.contains("\(rec.id)\u{1}\(rec.version)") {
            loadedVersions.insert("\(rec.id)\u{1}\(rec.version)")
            if ["dmn", "rules"].contains(rec.format) {
                if let m = try? DecisionRegistry.parse(source: rec.source, file: rec.origin) { decisions.add(m) }
                continue
            }
            do {
                registry.add(try DefinitionLoader.parse(source: rec.source, file: rec.origin, processId: rec.id), version: rec.version)
            } catch {
                logger.error("stored definition \(rec.id) v\(rec.version) no longer parses: \(error)")
            }
        }
    }

    /// Stops the timer loop and waits for queued work to be committed.
    public func shutdown() async {
        timerTask?.cancel()
        timerTask = nil
        await waitIdle()
    }

    // MARK: definitions

    /// Deploys every executable process of a source (YAML or BPMN); identical content keeps
    /// its version. Nothing is deployed when any process of the source is invalid.
    @discardableResult
    public func deploy(source: String, file: String, origin: String? = nil) async throws -> [(ProcessDefinition, Int)] {
        try await deployDetailed(source: source, file: file, origin: origin).map { ($0.definition, $0.version) }
    }

    /// A deployed process and whether this deployment made its version (false: identical
    /// content was already the latest version).
    public struct Deployed: Sendable {
        public var definition: ProcessDefinition
        public var version: Int
        public var created: Bool
    }

    /// Deploys like `deploy` and tells which versions are new.
    public func deployDetailed(source: String, file: String, origin: String? = nil) async throws -> [Deployed] {
        if DefinitionLoader.isDecisionSource(source) {
            let model = try DecisionRegistry.parse(source: source, file: file)
            for d in model.decisions {
                _ = try await store.saveDefinition(id: "decision:" + d.id, name: d.name, format: DefinitionLoader.format(of: source), source: source,
                                                   contentHash: DefinitionLoader.contentHash(source), origin: origin ?? file, at: clock.now())
            }
            decisions.add(model)
            return []
        }
        let defs = try DefinitionLoader.parseAll(source: source, file: file).filter(\.isExecutable)
        guard !defs.isEmpty else {
            throw DefinitionErrors([DefinitionError("the file has no executable process (isExecutable=\"true\")", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        var out: [Deployed] = []
        var schedules = CommitBatch()
        for def in defs {
            let previous = registry.latest(def.id)
            let rec = try await store.saveDefinition(id: def.id, name: def.name, format: DefinitionLoader.format(of: source), source: source,
                                                     contentHash: DefinitionLoader.contentHash(source), origin: origin ?? file, at: clock.now())
            let wasRetired = registry.retired.contains(def.id)
            registry.add(def, version: rec.version)
            loadedVersions.insert("\(def.id)\u{1}\(rec.version)")
            out.append(Deployed(definition: def, version: rec.version, created: previous?.1 != rec.version || wasRetired))
            // a new version takes over the timer start events: the old schedule ends, the new one begins
            if let (old, oldVersion) = previous, oldVersion != rec.version {
                schedules.timersToDelete += old.timerStartEvents.map { StartTimers.id(old.id, oldVersion, $0.id) }
            }
            schedules.timersToEnsure += StartTimers.initial(def, version: rec.version, now: clock.now())
        }
        try await store.commit(schedules)
        return out
    }

    /// Retires a definition for new instances (its file was removed): no new instances from
    /// events, the API or its schedule; running ones finish on their version. Deploying it
    /// again brings it back.
    public func retire(_ id: String) async throws {
        guard let (def, version) = registry.latest(id), !registry.retired.contains(id) else { return }
        registry.retired.insert(id)
        var b = CommitBatch()
        b.timersToDelete = def.timerStartEvents.map { StartTimers.id(def.id, version, $0.id) }
        try await store.commit(b)
    }

    /// Definitions retired for new instances.
    public var retiredDefinitions: Set<String> { registry.retired }

    /// What the last deployment of each watched file gave (see `DefinitionWatcher`).
    public private(set) var deployments: [String: DeploymentStatus] = [:]

    public func record(_ status: DeploymentStatus) { deployments[status.file] = status }


    public func definition(_ id: String, version: Int? = nil) async -> (ProcessDefinition, Int)? {
        if let version {
            if let d = registry.definition(id, version: version) { return (d, version) }
            // deployed by another replica since this one last looked
            if store.sharedByReplicas { try? await loadDefinitions() }
            return registry.definition(id, version: version).map { ($0, version) }
        }
        if registry.latest(id) == nil, store.sharedByReplicas { try? await loadDefinitions() }
        return registry.latest(id)
    }

    // MARK: work

    /// Outcome of an event for one definition.
    public struct EventOutcome: Sendable, Equatable {
        public enum Action: String, Sendable { case started, correlated, buffered, ignored }
        public var definitionId: String
        public var action: Action
        public var instanceId: String?
        public var correlationKey: String?
        public var reason: String?

        public init(definitionId: String, action: Action, instanceId: String? = nil, correlationKey: String? = nil, reason: String? = nil) {
            self.definitionId = definitionId
            self.action = action
            self.instanceId = instanceId
            self.correlationKey = correlationKey
            self.reason = reason
        }
    }

    /// What a published message did.
    public enum MessageOutcome: Sendable, Equatable {
        case correlated(instanceId: String)
        case started(instanceIds: [String])
        case buffered
        case dropped
    }

    enum Work: Sendable {
        case start(definitionId: String, variables: [String: Value], correlationKey: String?, businessKey: String?)
        case message(PublishedMessage)
        case signal(String, variables: [String: Value])
        case event(Value, topic: String?, definitionId: String?)
        case intake(IntakeItem)
        /// Consumed items handed over together: applied in order as one work item (their
        /// positions commit together anyway), so a batch of thousands costs one queue entry.
        case intakeBatch([IntakeItem])
        case command(instanceId: String, Command)
        case timer(TimerRecord)
        case jobResult(JobRecord, Command)
        case migrate(instanceId: String, version: Int)
    }

    enum WorkResult: Sendable {
        case instance(InstanceState)
        case events([EventOutcome])
        case eventBatch([[EventOutcome]])
        /// A batch applied item by item after a refusal: each item's own result.
        case eventResults([Result<[EventOutcome], any Error>])
        case message(MessageOutcome)
        case signal(correlated: Int, started: [String])
        case none
    }

    struct Pending {
        var work: Work
        var continuation: CheckedContinuation<WorkResult, any Error>?
        /// Told the outcome instead of (or as well as) a waiting caller: consumed events.
        var callback: (@Sendable (Result<WorkResult, any Error>) -> Void)?

        func finish(_ r: Result<WorkResult, any Error>) {
            continuation?.resume(with: r)
            callback?(r)
        }
        /// Times it was applied again after a conflict.
        var attempts = 0
    }

    /// Errors returned to callers of the runtime.
    public enum RuntimeError: Error, Sendable, CustomStringConvertible, Equatable {
        case unknownDefinition(String)
        case unknownInstance(String)
        case unknownTask(String)
        case unknownIncident(String)
        case rejected(String)
        case retired(String)
        /// Input that breaks a rule (a task's form): every problem, each naming its field.
        case invalidInput(String, problems: [String])

        public var description: String {
            switch self {
            case .unknownDefinition(let id): "no deployed definition '\(id)'"
            case .unknownInstance(let id): "no instance '\(id)'"
            case .unknownTask(let id): "no user task '\(id)'"
            case .unknownIncident(let id): "no incident '\(id)'"
            case .rejected(let m): m
            case .retired(let id): "definition '\(id)' is retired for new instances"
            case .invalidInput(let what, let problems): "\(what): " + problems.joined(separator: "; ")
            }
        }
    }

    func submit(_ work: Work) async throws -> WorkResult {
        try await withCheckedThrowingContinuation { c in
            pending.append(Pending(work: work, continuation: c))
            kick()
        }
    }

    func enqueue(_ work: Work) {
        pending.append(Pending(work: work, continuation: nil))
        kick()
    }

    func kick() {
        guard !draining else { return wakeDrain() }
        draining = true
        Task { await self.drain() }
    }

    /// Starts an instance of the latest version; returns its state once committed.
    public func startInstance(_ definitionId: String, variables: [String: Value] = [:], businessKey: String? = nil) async throws -> InstanceState {
        guard case .instance(let s) = try await submit(.start(definitionId: definitionId, variables: variables, correlationKey: nil, businessKey: businessKey)) else {
            throw RuntimeError.rejected("start produced no instance")
        }
        return s
    }

    /// Delivers an event: it refreshes the running instance for its correlation key, or starts
    /// a new instance when the trigger condition holds.
    public func publish(event: Value, topic: String? = nil, definitionId: String? = nil) async throws -> [EventOutcome] {
        guard case .events(let o) = try await submit(.event(event, topic: topic, definitionId: definitionId)) else { return [] }
        EngineMetrics.event(topic: topic, outcomes: o)
        return o
    }

    /// Hands consumed events (Kafka, MQTT) to the engine, in order. Each event's effect and
    /// its consumed position are committed in one transaction; `done` is called once, after
    /// every item was committed or failed, with an outcome per item (a failure: nothing of
    /// the item was written, and the consumer must deliver it again).
    public func ingest(_ items: [IntakeItem], done: @escaping @Sendable ([Result<[EventOutcome], any Error>]) -> Void) {
        guard !items.isEmpty else { return done([]) }
        // metrics once per batch handed over, not per event
        let topics: [String?] = items.map { if case .event(let e) = $0 { e.topic } else { nil } }
        let count = items.count
        pending.append(Pending(work: .intakeBatch(items), continuation: nil, callback: { r in
            let results: [Result<[EventOutcome], any Error>]
            switch r {
            case .success(.eventBatch(let outcomes)): results = outcomes.map { .success($0) }
            case .success(.eventResults(let each)): results = each
            case .success: results = Array(repeating: .success([]), count: count)
            case .failure(let e): results = Array(repeating: .failure(e), count: count)
            }
            EngineMetrics.events(topics: topics, results: results)
            done(results)
        }))
        kick()
    }

    /// Publishes a message: it goes to the oldest subscription with its name and correlation
    /// key, or starts the instances whose message start event has its name, or is kept for
    /// `timeToLive` seconds for a subscription still to come.
    public func publish(message: PublishedMessage) async throws -> MessageOutcome {
        guard case .message(let o) = try await submit(.message(message)) else { return .dropped }
        return o
    }

    /// Broadcasts a signal: every instance waiting for it continues, and processes with a
    /// signal start event of its name start. Returns how many were reached and which started.
    public func broadcast(signal name: String, variables: [String: Value] = [:]) async throws -> (correlated: Int, started: [String]) {
        guard case .signal(let c, let s) = try await submit(.signal(name, variables: variables)) else { return (0, []) }
        return (c, s)
    }

    // MARK: external job workers

    /// A job handed to a worker.
    public struct ActivatedJob: Sendable {
        public var job: JobRecord
        public var deadline: Date
    }

    /// Locks up to `max` jobs of a type for a worker for `lock` seconds, waiting up to
    /// `requestTimeout` seconds (wall time) for one to become available (long poll).
    public func activateJobs(type: String, worker: String, max: Int, lock: Double, requestTimeout: Double) async throws -> [ActivatedJob] {
        let giveUp = Date().addingTimeInterval(requestTimeout)
        while true {
            let now = clock.now()
            let until = now.addingTimeInterval(lock)
            let jobs = try await store.activateJobs(type: type, worker: worker, max: max, until: until, now: now)
            if !jobs.isEmpty || Date() >= giveUp { return jobs.map { ActivatedJob(job: $0, deadline: until) } }
            // woken as soon as this replica commits a job of the type; at the latest after
            // 250 ms (jobs another replica created, locks that ran out)
            await waitForJobs(type: type, atMost: min(0.25, giveUp.timeIntervalSinceNow))
        }
    }

    /// Long-polling workers wait for jobs of their type (woken when this replica writes one).
    func waitForJobs(type: String, atMost seconds: Double) async {
        guard seconds > 0 else { return }
        await park(.jobs(type), atMost: seconds)
    }

    func wakeWorkers(type: String) { wakeAll(.jobs(type)) }

    /// What parked tasks wait for.
    enum WaitFor: Hashable {
        case idle
        case jobs(String)
    }

    /// Parks the calling task until `what` happens, `seconds` pass, or the task is cancelled.
    func park(_ what: WaitFor, atMost seconds: Double? = nil) async {
        lastWaiter += 1
        let id = lastWaiter
        let timeout = seconds.map { s in
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(s * 1e9))
                await self?.unpark(what, id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                if Task.isCancelled { c.resume() } else { waiters[what, default: [:]][id] = c }
            }
        } onCancel: {
            Task { await self.unpark(what, id) }
        }
        timeout?.cancel()
    }

    /// Resumes every task parked for `what`.
    private func wakeAll(_ what: WaitFor) { waiters.removeValue(forKey: what)?.values.forEach { $0.resume() } }

    /// Resumes one parked task alone (its timeout ran out, or its task was cancelled).
    private func unpark(_ what: WaitFor, _ id: Int) { waiters[what]?.removeValue(forKey: id)?.resume() }

    /// Reports a worker's outcome for a job: completion, failure, or a BPMN error.
    public func reportJob(_ id: String, _ outcome: ConnectorOutcome) async throws -> InstanceState? {
        guard let (job, _) = try await store.job(id) else { throw RuntimeError.rejected("no active job \(id)") }
        guard job.external else { throw RuntimeError.rejected("job \(id) is performed by the engine, not by a worker") }
        let command: Command
        switch outcome {
        case .completed(let vars): command = .jobCompleted(jobId: id, output: vars)
        case .failed(let message, let retryable): command = .jobFailed(jobId: id, message: message, retryable: retryable, incidentType: "job_failed")
        case .bpmnError(let code, let message): command = .jobThrewError(jobId: id, code: code, message: message)
        }
        _ = try await submit(.jobResult(job, command))
        return try await store.instance(job.instanceId)
    }

    /// Applies an operator or API command to an instance.
    public func send(_ command: Command, to instanceId: String) async throws -> InstanceState {
        guard case .instance(let s) = try await submit(.command(instanceId: instanceId, command)) else {
            throw RuntimeError.rejected("command produced no state")
        }
        return s
    }

    /// Completes a user task with variables, which must satisfy the task's form.
    public func completeTask(_ taskId: String, variables: [String: Value]) async throws -> InstanceState {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        guard task.status == "open" else { throw RuntimeError.rejected("task \(taskId) is \(task.status), not open") }
        if let form = task.form, form[member: "type"] == "object" || form[member: "properties"] != .null {
            let problems = FormValidator.problems(variables, schema: form)
            if !problems.isEmpty { throw RuntimeError.invalidInput("the variables do not satisfy the task's form", problems: problems) }
        }
        return try await send(.completeUserTask(taskId: taskId, variables: variables), to: task.instanceId)
    }

    /// Claims an open, unassigned task for a user.
    public func claimTask(_ taskId: String, user: String) async throws -> UserTaskRecord {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        guard task.status == "open" else { throw RuntimeError.rejected("task \(taskId) is \(task.status), not open") }
        if task.assignee == user { return task }
        guard try await store.assignTask(taskId, assignee: user, onlyIfUnassigned: true) else {
            throw RuntimeError.rejected("task \(taskId) is already claimed by \(task.assignee ?? "someone")")
        }
        return try await store.userTask(taskId) ?? task
    }

    /// Sets (or, with nil, clears) an open task's assignee.
    public func assignTask(_ taskId: String, to user: String?) async throws -> UserTaskRecord {
        guard let task = try await store.userTask(taskId) else { throw RuntimeError.unknownTask(taskId) }
        guard try await store.assignTask(taskId, assignee: user, onlyIfUnassigned: false) else {
            throw RuntimeError.rejected("task \(taskId) is \(task.status), not open")
        }
        return try await store.userTask(taskId) ?? task
    }

    /// Retries an incident after its cause is fixed.
    public func retryIncident(_ incidentId: String) async throws -> InstanceState {
        guard let rec = try await store.incident(incidentId) else { throw RuntimeError.unknownIncident(incidentId) }
        guard rec.resolvedAt == nil else { throw RuntimeError.rejected("incident \(incidentId) is already resolved") }
        return try await send(.retryIncident(incidentId: incidentId), to: rec.incident.instanceId)
    }

    /// Resolves an incident without retrying: the failed activity counts as done with the
    /// given variables and the instance moves on.
    public func resolveIncident(_ incidentId: String, variables: [String: Value]) async throws -> InstanceState {
        guard let rec = try await store.incident(incidentId) else { throw RuntimeError.unknownIncident(incidentId) }
        guard rec.resolvedAt == nil else { throw RuntimeError.rejected("incident \(incidentId) is already resolved") }
        return try await send(.resolveIncident(incidentId: incidentId, variables: variables), to: rec.incident.instanceId)
    }

    /// Moves a running instance to another version of its definition (default: the latest),
    /// when every element it is at exists there as the same kind; refused with the reasons otherwise.
    public func migrate(_ instanceId: String, toVersion version: Int? = nil) async throws -> InstanceState {
        guard let s = try await store.instance(instanceId) else { throw RuntimeError.unknownInstance(instanceId) }
        var target = version ?? 0
        if version == nil {
            guard let (_, v) = await definition(s.definitionId) else { throw RuntimeError.unknownDefinition(s.definitionId) }
            target = v
        }
        guard case .instance(let out) = try await submit(.migrate(instanceId: instanceId, version: target)) else {
            throw RuntimeError.rejected("migration produced no state")
        }
        return out
    }

    // MARK: group commit

    /// Commits queued work in batches (group commit), in a pipeline of three stages: one
    /// batch is being written; the next is closed, encoded and queued behind it; a third is
    /// open and takes in the work arriving meanwhile, applied as it comes. When a write ends
    /// the queued batch is written and the open one closed. So batch sizes follow the load by
    /// themselves and the engine's work (applying, encoding, answering) overlaps the store's.
    /// Batches are written and answered in order, and a batch that reads the store (an
    /// instance to load, a subscription, a buffered message…) reads only once every batch
    /// before it has finished, so it never sees state older than its predecessors'. The
    /// running instances for its events' keys are read up front without waiting: what the
    /// batches in flight claim and release is laid over the answer.
    func drain() async {
        var open: OpenBatch?
        while true {
            if let o = open, writesQueued == 0 {
                // the writer is idle: give it what is open now
                open = nil
                launch(close(o))
                continue
            }
            if !pending.isEmpty && open.map(takesMore) ?? true {
                // apply what arrived to the open batch, in chunks so a finished write is
                // followed quickly by closing the next
                var o = open ?? openBatch(after: lastFinish)
                let n = min(maxBatch - o.batch.count, pending.count, 64)
                let chunk = Array(pending.prefix(n))
                pending.removeFirst(n)
                await apply(chunk, to: &o)
                open = o
                continue
            }
            if let o = open, writesQueued == 1, o.weight >= 64 {
                // a write is under way and enough is open to be worth writing next: close it
                // and encode it now, queued behind that write, so the writer goes on without a
                // pause (under light load batches stay small and wait for the writer to idle)
                open = nil
                launch(close(o))
                continue
            }
            if open == nil && batchesInFlight == 0 { break }
            // wait for more work, or for a write or a batch to end
            await withCheckedContinuation { drainWakeup = $0 }
        }
        draining = false
        let drained = drainWaiters
        drainWaiters.removeAll()
        drained.forEach { $0.resume() }
        if runningJobs == 0 && queuedJobs.isEmpty { wakeAll(.idle) }
    }

    /// Queues a closed batch's write behind the one before (encoded now, while that one is
    /// written), then answers it once written and every batch before it has finished.
    func launch(_ prepared: Prepared) {
        writesQueued += 1
        batchesInFlight += 1
        closedBatches += 1
        let id = closedBatches
        if !prepared.keys.isEmpty { keysInFlight.append((id, prepared.keys)) }
        let outcome = OnceValue<Written>()
        store.queueCommit(prepared.commit) { outcome.set(Written(failure: $0, seconds: $1)) }
        let previous = lastFinish
        lastFinish = Task {
            let written = await outcome.value
            // written: its keys are in the store; failed: they never will be (its items are
            // applied again, and must not see them)
            self.keysInFlight.removeAll { $0.batch == id }
            self.writesQueued -= 1
            self.wakeDrain()
            await previous?.value
            await self.finish(prepared, written: written)
            self.batchesInFlight -= 1
            self.wakeDrain()
        }
    }

    /// Whether an open batch takes more work: not when full, nor once its time (the `now` of
    /// everything applied in it) is 50 ms old or the clock was moved on.
    func takesMore(_ o: OpenBatch) -> Bool {
        guard o.batch.count < maxBatch else { return false }
        let age = clock.now().timeIntervalSince(o.tx.now)
        return age >= 0 && age < 0.05
    }

    /// Resumes the drain loop if it waits (new work, or the batch in flight finished).
    func wakeDrain() {
        drainWakeup?.resume()
        drainWakeup = nil
    }

    /// Waits until no work is queued and no job is running, or the waiting task is cancelled
    /// (a shutdown past its bound: what is still running resumes at the next start).
    public func waitIdle() async {
        if !draining && pending.isEmpty && runningJobs == 0 && queuedJobs.isEmpty { return }
        await park(.idle)
    }

    /// Work not finished: items queued for commit and connector calls running or queued.
    public var inFlight: (queued: Int, jobs: Int) { (pending.count, runningJobs + queuedJobs.count) }

    /// A batch applied and ready to commit.
    struct Prepared: Sendable {
        var batch: [Pending]
        var results: [Result<WorkResult, any Error>]
        var commit: CommitBatch
        var firedTimers: [String]
        /// Correlation keys the batch claims or releases.
        var keys: [String: [String: String?]] = [:]
    }

    /// A batch being applied, still taking work.
    struct OpenBatch {
        var tx: BatchTransaction
        var batch: [Pending] = []
        var results: [Result<WorkResult, any Error>] = []
        /// Work items, counting each consumed event of an intake batch.
        var weight = 0
    }

    /// Applies a batch of work items and commits them in one transaction.
    func process(_ batch: [Pending]) async {
        var o = openBatch(after: nil)
        await apply(batch, to: &o)
        let prepared = close(o)
        let (failure, seconds) = await store.queuedCommit(prepared.commit)
        await finish(prepared, written: Written(failure: failure, seconds: seconds))
    }

    /// How a batch's write went.
    struct Written: Sendable {
        var failure: (any Error)?
        var seconds: Double
    }

    /// A new batch; its first read of the store waits for `previous` (the batch being
    /// committed meanwhile) to finish.
    func openBatch(after previous: Task<Void, Never>?) -> OpenBatch {
        OpenBatch(tx: BatchTransaction(runtime: self, now: clock.now(), registry: registry, after: previous))
    }

    /// Applies work items to an open batch.
    func apply(_ items: [Pending], to o: inout OpenBatch) async {
        await o.tx.prefetchActiveInstances(items)
        o.batch.reserveCapacity(o.batch.count + items.count)
        o.results.reserveCapacity(o.batch.count + items.count)
        for item in items {
            o.batch.append(item)
            if case .intakeBatch(let events) = item.work { o.weight += events.count } else { o.weight += 1 }
            do {
                o.results.append(.success(try await o.tx.apply(item.work)))
            } catch {
                o.results.append(.failure(error))
            }
        }
    }

    /// What an open batch writes.
    func close(_ o: OpenBatch) -> Prepared {
        var commit = o.tx.commitBatch()
        if let topic = lifecycleTopic { commit.outbox = Lifecycle.events(of: commit, topic: topic) }
        if store.sharedByReplicas {
            commit.owner = owner
            commit.leaseUntil = o.tx.now.addingTimeInterval(lease)
            commit.timersFired = o.tx.firedTimers
        }
        return Prepared(batch: o.batch, results: o.results, commit: commit, firedTimers: o.tx.firedTimers, keys: o.tx.keys)
    }

    /// Commits a prepared batch, answers its items and dispatches its jobs; on a conflict
    /// applies its items again, alone.
    func finish(_ prepared: Prepared, written: Written) async {
        let (batch, results, commit, failure) = (prepared.batch, prepared.results, prepared.commit, written.failure)
        // committed or not, the fired timers are no longer in flight: stored ones are fetched again
        for t in prepared.firedTimers { inflightTimers.remove(t) }
        if let failure, batch.count == 1, case .intakeBatch(let items) = batch[0].work, items.count > 1 {
            switch failure {
            case StoreError.conflict, StoreError.offsetConflict:
                // a batch of consumed items is taken apart: each applied alone, so one refused
                // record or conflicting instance does not sink the others
                await applyOneByOne(items, for: batch[0])
                return
            default: break
            }
        }
        switch failure {
        case nil:
            break
        case StoreError.conflict(let id)?:
            // another replica (or request) changed an instance first: apply each item again on
            // fresh state, alone, so one conflict does not sink the rest of the batch
            if batch.count > 1 {
                for item in batch { await process([item]) }
                return
            }
            let item = batch[0]
            if item.attempts < 4 {
                var again = item
                again.attempts += 1
                await process([again])
                return
            }
            if case .timer = item.work {
                logger.debug("timer skipped: another replica fired it (\(id))")
                item.finish(.success(.none))
            } else {
                logger.warning("gave up after \(item.attempts) conflicts on instance \(id)")
                item.finish(.failure(StoreError.conflict(instanceId: id)))
            }
            return
        case StoreError.offsetConflict(let topic, let partition)?:
            // a consumed partition's position moved (another replica consumes it now, or an
            // earlier batch of it failed): the other items go on alone, the events fail and
            // their consumer rewinds to the stored position
            if batch.count > 1 {
                for item in batch { await process([item]) }
                return
            }
            logger.info("events of \(topic)/\(partition) not applied: its stored position moved")
            batch[0].finish(.failure(StoreError.offsetConflict(topic: topic, partition: partition)))
            return
        case let error?:
            logger.error("commit of \(batch.count) item(s) failed: \(error)")
            for item in batch { item.finish(.failure(error)) }
            // job results exist only here: queue them again after a pause so the outcome of
            // work already done is not lost
            let redo = batch.compactMap { item -> Work? in if case .jobResult = item.work { item.work } else { nil } }
            if !redo.isEmpty {
                Task {
                    try? await Task.sleep(nanoseconds: 500_000_000)
                    for w in redo { self.enqueue(w) }
                }
            }
            return
        }
        EngineMetrics.committed(commit, items: batch.count, seconds: written.seconds)
        logCommitted(commit)
        stats.batches += 1
        stats.committedItems += batch.count
        stats.maxBatchSize = max(stats.maxBatchSize, batch.count)
        for (item, result) in zip(batch, results) {
            switch result {
            case .success(let r): item.finish(.success(r))
            case .failure(let e): item.finish(.failure(e))
            }
        }
        for job in commit.jobsToAdd { dispatch(job) }
    }

    /// Applies consumed items one at a time (after their batch was refused as a whole) and
    /// reports each item's own result to the batch's caller.
    func applyOneByOne(_ items: [IntakeItem], for original: Pending) async {
        let results = Locked<[Result<[EventOutcome], any Error>]>(Array(repeating: .success([]), count: items.count))
        for (i, item) in items.enumerated() {
            await process([Pending(work: .intake(item), continuation: nil, callback: { r in
                results.withLock { $0[i] = r.map { w in if case .events(let o) = w { o } else { [] } } }
            })])
        }
        original.finish(.success(.eventResults(results.withLock { $0 })))
    }

    // MARK: jobs

    func dispatch(_ job: JobRecord) {
        if job.external && !connectors.handles(job.action) {  // waits for a worker to activate it
            wakeWorkers(type: job.action)
            return
        }
        guard !inflightJobs.contains(job.id) else { return }
        inflightJobs.insert(job.id)
        if runningJobs >= maxInflightJobs {
            queuedJobs.append(job)
            return
        }
        run(job)
    }

    func run(_ job: JobRecord) {
        runningJobs += 1
        let connectors = self.connectors
        Task {
            let started = DispatchTime.now().uptimeNanoseconds
            let command = await connectors.execute(job)
            EngineMetrics.jobFinished(job, command, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            await self.jobFinished(job, command)
        }
    }

    func jobFinished(_ job: JobRecord, _ command: Command) {
        runningJobs -= 1
        inflightJobs.remove(job.id)
        if case .jobFailed(_, let message, _, _) = command {
            logger.warning("job \(job.id) (\(job.action)) of instance \(job.instanceId) at \(job.elementId) failed: \(message)",
                           metadata: ["instance": "\(job.instanceId)", "element": "\(job.elementId)", "definition": "\(job.definitionId)", "job": "\(job.id)"])
        }
        enqueue(.jobResult(job, command))
        if !queuedJobs.isEmpty { run(queuedJobs.removeFirst()) }
    }

    // MARK: timers

    /// Enqueues every due timer not already in flight; returns how many.
    @discardableResult
    public func fireDueTimers(limit: Int = 5000) async throws -> Int {
        let now = clock.now()
        if store.sharedByReplicas, now.timeIntervalSince(lastTakeover) >= lease / 4 {
            for j in try await takeOverJobs() { dispatch(j) }
        }
        if store.sharedByReplicas, now.timeIntervalSince(lastDefinitionRefresh) >= 5 { try await loadDefinitions() }
        if now.timeIntervalSince(lastLevels) >= 15 {
            lastLevels = now
            EngineMetrics.levels(running: try await store.countInstances(status: .running), suspended: try await store.countInstances(status: .suspended))
        }
        let due = try await store.claimTimers(before: now, limit: limit, owner: owner, leaseUntil: now.addingTimeInterval(lease))
        EngineMetrics.timersFired(due.filter { !inflightTimers.contains($0.id) }, now: now)
        var n = 0
        for t in due where !inflightTimers.contains(t.id) {
            inflightTimers.insert(t.id)
            enqueue(.timer(t))
            n += 1
        }
        return n
    }

    func runTimerLoop() async {
        while !Task.isCancelled {
            do {
                let n = try await fireDueTimers()
                if n > 0 {
                    await waitCommitted()
                    continue
                }
                // timers committed while sleeping are seen within the poll interval
                let now = clock.now()
                var wake = now.addingTimeInterval(timerPollInterval)
                if let next = try await store.nextTimerDue(), next > now { wake = min(next, wake) }
                try await clock.sleep(until: wake)
            } catch is CancellationError {
                return
            } catch {
                logger.error("timer loop: \(error)")
                try? await clock.sleep(until: clock.now().addingTimeInterval(1))
            }
        }
    }

    /// Waits until the queue has been committed (jobs may still run).
    func waitCommitted() async {
        if !draining && pending.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    /// Fires due timers and waits until everything that follows has been committed and every
    /// job has reported: for tests and simulations on a manual clock.
    public func settle() async throws {
        while true {
            await waitIdle()
            let n = try await fireDueTimers()
            if n == 0 && pending.isEmpty && runningJobs == 0 && !draining { return }
        }
    }

    /// Engine lines for what a commit made durable: incidents always (warning), every step at
    /// debug level; each with the instance, element and definition as metadata.
    func logCommitted(_ commit: CommitBatch) {
        var definitionOf: [String: String] = [:]
        for w in commit.instances { definitionOf[w.state.id] = w.state.definitionId }
        for i in commit.incidentsToAdd {
            logger.warning("incident at \(i.elementId): \(i.message)",
                           metadata: ["instance": "\(i.instanceId)", "element": "\(i.elementId)", "definition": "\(definitionOf[i.instanceId] ?? "")", "incident": "\(i.id)"])
        }
        guard logger.logLevel <= .debug else { return }
        for h in commit.history {
            logger.debug("\(h.elementType) \(h.event)",
                         metadata: ["instance": "\(h.instanceId)", "element": "\(h.elementId)", "definition": "\(definitionOf[h.instanceId] ?? "")"])
        }
    }

    /// Jobs whose lease ran out (their replica died): claimed for this process.
    func takeOverJobs() async throws -> [JobRecord] {
        let now = clock.now()
        lastTakeover = now
        let jobs = try await store.claimJobs(owner: owner, leaseUntil: now.addingTimeInterval(lease), now: now, limit: 10_000)
        let fresh = jobs.filter { !inflightJobs.contains($0.id) }
        if !fresh.isEmpty { logger.info("took over \(fresh.count) job(s) whose lease ran out") }
        return fresh
    }

    // MARK: helpers for BatchTransaction

    /// Where the engine's lifecycle events go (the outbox is written only when set).
    public var lifecycleTopic: String?
    public func configure(lifecycleTopic: String?) { self.lifecycleTopic = lifecycleTopic }

    func isRetired(_ id: String) -> Bool { registry.retired.contains(id) }
}
