import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import BPMStoreSQLite
import Foundation
import Logging

/// A simulated run: the production `Runtime` with three things swapped — a temporary SQLite
/// store, a manual clock that jumps from timer to timer, and a connector sandbox that records
/// every call. Every deployed process runs as under `bpm serve`: call activities start child
/// instances, signals and messages reach other instances, timers fire across instances in due
/// order. Used by `bpm run`, `bpm test` and tests of process definitions.
///
/// The run's *main* instance is the one the first `start` or event began (for a silence or
/// debounce trigger: the first the main process started when a key went quiet); `state`, `history`
/// and `path` are its, `instances` lists every instance of the run. Timer start events do not
/// schedule themselves: a run starts its instances itself. Every loop is bounded: a run stops
/// (`stopped`) after `bounds.timerFirings` timer firings or `bounds.horizon` seconds of
/// simulated time; runaway steps raise `step_limit` incidents.
public final class Simulation {
    /// Where a run stops by itself.
    public struct Bounds: Sendable {
        /// Most timers fired in one run.
        public var timerFirings = 1_000
        /// Most simulated seconds after the start of the run.
        public var horizon: Double = 366 * 86_400

        public init(timerFirings: Int = 1_000, horizon: Double = 366 * 86_400) {
            self.timerFirings = timerFirings
            self.horizon = horizon
        }
    }

    /// Why a run stopped before its instances came to rest.
    public struct Stop: Sendable, Equatable {
        /// `timer_firings` or `horizon`.
        public var reason: String
        public var message: String
    }

    public let runtime: Runtime
    public let clock: ManualClock
    public let sandbox: ConnectorSandbox
    /// The process a `start` or an event begins.
    public let definition: ProcessDefinition
    public let bounds: Bounds
    let store: SQLiteStore
    let folder: URL
    let began: Date
    var firings = 0

    public private(set) var mainId: String?
    /// The main instance's state, history and pending timers (as of the last step).
    public private(set) var state: InstanceState?
    public private(set) var history: [HistoryEntry] = []
    /// Every instance's history, by instance id.
    public private(set) var histories: [String: [HistoryEntry]] = [:]
    public private(set) var timers: [TimerRecord] = []
    /// Every instance of the run, in order of start (the main one included).
    public private(set) var instances: [InstanceState] = []
    /// Open user tasks of every instance, in order of creation.
    public private(set) var openTasks: [UserTaskRecord] = []
    /// Every user task created during the run, in order.
    public var createdTasks: [UserTaskRecord] { created.withLock { $0 } }
    public private(set) var notes: [String] = []
    public private(set) var stopped: Stop?
    private let created = Locked<[UserTaskRecord]>([])
    private let opened = Locked<[MessageSubscription]>([])

    /// The main instance's open message and signal subscriptions.
    public var subscriptions: [MessageSubscription] { opened.withLock { $0 }.filter { $0.instanceId == mainId } }

    /// A run of one definition (its file's other processes are not deployed).
    public convenience init(definition: ProcessDefinition, connectors: ConnectorRegistry, start: Date,
                            bounds: Bounds = Bounds()) async throws
    {
        try await self.init(main: definition, deploy: [definition], sources: [], connectors: connectors,
                            decisions: [], start: start, bounds: bounds)
    }

    /// A run of the processes and decisions of definition files, deployed as `bpm serve`
    /// deploys them; `process` (default: the first executable process of the first file) is
    /// the one that `start` and events begin.
    public convenience init(files: [(source: String, file: String)], process: String?, decisions: [DecisionModel] = [],
                            connectors: ConnectorRegistry, start: Date, bounds: Bounds = Bounds()) async throws
    {
        guard let first = files.first else { throw Runtime.RuntimeError.rejected("no definition file to run") }
        let main = try DefinitionLoader.parse(source: first.source, file: first.file, processId: process)
        try await self.init(main: main, deploy: [], sources: files, connectors: connectors, decisions: decisions,
                            start: start, bounds: bounds)
    }

    init(main: ProcessDefinition, deploy: [ProcessDefinition], sources: [(source: String, file: String)],
         connectors: ConnectorRegistry, decisions: [DecisionModel], start: Date, bounds: Bounds) async throws
    {
        definition = main
        self.bounds = bounds
        began = start
        clock = ManualClock(start)
        sandbox = ConnectorSandbox(clock: clock)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-sim-\(UUIDv7.make())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(path: folder.appendingPathComponent("run.sqlite").path, synchronous: "OFF")
        try await store.migrate()
        var logger = Logger(label: "bpm.simulation")
        logger.logLevel = .critical
        runtime = Runtime(store: store, clock: clock, connectors: sandbox.wrap(connectors), logger: logger)
        await runtime.disableSchedules()
        // one job at a time, in the order they were created: calls come in a repeatable order
        await runtime.setMaxInflightJobs(1)
        try await runtime.start(timerLoop: false)
        for d in decisions { runtime.decisions.add(d) }
        for s in sources { try await runtime.deploy(source: s.source, file: s.file) }
        for d in deploy { try await runtime.install(d) }
        let (created, opened) = (self.created, self.opened)
        await runtime.observeCommits { batch in
            created.withLock { $0 += batch.tasksToAdd }
            opened.withLock { subs in
                let closed = Set(batch.subscriptionsToDelete)
                subs = subs.filter { !closed.contains($0.id) } + batch.subscriptionsToAdd
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The time on the simulated clock.
    public var now: Date { clock.now() }

    /// Every connector call of the run, in order.
    public var effects: [ConnectorSandbox.Call] { sandbox.calls }

    // MARK: steps

    /// Starts the main process with variables (at its first timer or message start event
    /// when it has no none start event).
    public func start(variables: [String: Value]) async {
        do {
            let s = try await runtime.startInstance(definition.id, variables: variables)
            if mainId == nil { mainId = s.id }
        } catch {
            notes.append("start: \(error)")
        }
        await rest()
    }

    /// Starts an instance of another deployed process (one the main instance's messages or
    /// signals are to reach); returns its id.
    @discardableResult
    public func start(process: String, variables: [String: Value]) async -> String? {
        var id: String?
        do { id = try await runtime.startInstance(process, variables: variables).id } catch { notes.append("start \(process): \(error)") }
        await rest()
        return id
    }

    /// Delivers an event to the main process: the first one whose trigger condition holds
    /// starts an instance (with `extraVariables`); later ones reach the instance running for
    /// their correlation key, or start another.
    public func deliver(event: Value, extraVariables: [String: Value] = [:]) async {
        do {
            // on the trigger's topic, as under `bpm serve`: a receive listening on it takes it too
            let outcomes = try await runtime.publish(event: event, topic: definition.trigger?.topic,
                definitionId: definition.id,
                                                     variables: extraVariables)
            for o in outcomes {
                switch o.action {
                case .started: if mainId == nil { mainId = o.instanceId }
                case .ignored: notes.append("event not delivered: \(o.reason ?? "ignored")")
                case .correlated, .buffered: break
                }
            }
        } catch {
            notes.append("event: \(error)")
        }
        await rest()
    }

    /// Applies a command to the main instance.
    public func apply(_ command: Command) async {
        guard let id = mainId else { return }
        do { _ = try await runtime.send(command, to: id) } catch { notes.append("\(command): \(error)") }
        await rest()
    }

    /// Completes an open user task (of any instance of the run).
    public func completeTask(_ id: String, variables: [String: Value]) async {
        do { _ = try await runtime.completeTask(id, variables: variables) } catch { notes.append("complete \(id): \(error)") }
        await rest()
    }

    /// Publishes a message, as the API's `POST /messages` would; returns whether an instance
    /// took it (a waiting one, or one it started).
    @discardableResult
    public func publish(_ message: PublishedMessage) async -> Bool {
        let outcome = try? await runtime.publish(message: message)
        await rest()
        switch outcome {
        case .correlated?, .started?: return true
        default: return false
        }
    }

    /// Broadcasts a signal, as the API's `POST /signals` would; returns how many waiting
    /// instances it reached and how many it started.
    @discardableResult
    public func broadcast(signal name: String, variables: [String: Value] = [:]) async -> (correlated: Int, started: Int) {
        let r = try? await runtime.broadcast(signal: name, variables: variables)
        await rest()
        return (r?.correlated ?? 0, r?.started.count ?? 0)
    }

    /// Moves the clock to each next due timer, firing it, until none is left (`limit` nil) or
    /// the next is after `limit` (then the clock stops at `limit`) — within the run's bounds.
    public func runTimers(until limit: Date? = nil) async {
        while stopped == nil {
            guard let next = await nextDue() else { break }
            if let limit, next > limit { break }
            guard next.timeIntervalSince(began) <= bounds.horizon else {
                stop("horizon", "past the run's bound of \(DurationParser.describe(bounds.horizon)) of simulated time (--max-time)")
                break
            }
            guard firings < bounds.timerFirings else {
                stop("timer_firings", "after \(firings) timer firings, the run's bound (--max-timer-firings)")
                break
            }
            if next > clock.now() { clock.set(next) }
            let fired = (try? await runtime.fireDueTimers()) ?? 0
            firings += fired
            await runtime.waitIdle()
            // a due time that fired nothing (its timer in flight) is not looked at again and again
            if fired == 0, next <= clock.now() { break }
        }
        if let limit, limit > clock.now() { clock.set(limit) }
        await refresh()
    }

    /// The next due time: a stored timer's, or a silence or debounce trigger's key going quiet
    /// (those deadlines are kept in memory, `Runtime.silences`).
    func nextDue() async -> Date? {
        let timer = try? await store.nextTimerDue()
        let silence = runtime.silences.nextDue.map { Date(timeIntervalSince1970: $0) }
        return [timer, silence].compactMap { $0 }.min()
    }

    /// Stops the run at a bound, naming the next timer of the main instance (or of any).
    func stop(_ reason: String, _ why: String) {
        let next = timers.min { $0.dueAt < $1.dueAt }
        let what = next.map { "timer '\($0.elementId)' (due \(Coding.iso($0.dueAt)))" } ?? "a timer"
        stopped = Stop(reason: reason, message: "still waiting on \(what) \(why)")
    }

    /// Waits until everything the last step set in motion is committed, then reads the run.
    func rest() async {
        await runtime.waitIdle()
        await refresh()
    }

    /// Reads the main instance, its history and timers, and every instance and open task.
    func refresh() async {
        do {
            // ids are time-ordered (UUIDv7, monotonic within the process): their order is the order of start
            var all = try await store.instances(InstanceQuery(limit: 1_000_000)).sorted { $0.id < $1.id }
            if let id = mainId, let i = all.firstIndex(where: { $0.id == id }) { all.insert(all.remove(at: i), at: 0) }
            var states: [InstanceState] = []
            for s in all {
                guard let st = try await store.instance(s.id) else { continue }
                states.append(st)
                histories[s.id] = try await store.history(instanceId: s.id)
            }
            // a silence or debounce trigger starts its instance when a key goes quiet, not at an event
            if mainId == nil { mainId = states.first { $0.definitionId == definition.id }?.id }
            instances = states
            state = states.first { $0.id == mainId }
            history = mainId.flatMap { histories[$0] } ?? []
            timers = try await store.dueTimers(before: .distantFuture, limit: 1_000_000).filter { $0.instanceId == mainId }
            let open = try await store.userTasks(TaskQuery(status: "open", limit: 1_000_000))
            let byId = Dictionary(open.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            openTasks = createdTasks.compactMap { byId[$0.id] }
        } catch {
            notes.append("reading the run's store: \(error)")
        }
    }
}
