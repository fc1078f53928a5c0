import BPMStore
import Foundation

/// The lists a reader can follow: which of them a commit changed.
public struct ChangedLists: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let instances = ChangedLists(rawValue: 1)
    public static let incidents = ChangedLists(rawValue: 2)
    public static let tasks = ChangedLists(rawValue: 4)

    /// What a committed batch changed: instances (state, position, end), incidents (raised,
    /// resolved) and user tasks (created, completed, reassigned).
    public static func of(_ batch: CommitBatch) -> ChangedLists {
        var lists: ChangedLists = []
        if !batch.instances.isEmpty { lists.insert(.instances) }
        if !batch.incidentsToAdd.isEmpty || !batch.incidentsResolved.isEmpty { lists.insert(.incidents) }
        if !batch.tasksToAdd.isEmpty || !batch.taskUpdates.isEmpty || !batch.taskCorrections.isEmpty {
            lists.insert(.tasks)
        }
        return lists
    }
}

/// An in-process broadcast of "something changed in list X": the runtime notifies it after
/// each commit (and after the few writes that bypass the pipeline, such as claiming a task),
/// and each subscriber — a live page's event stream — wakes up. Notifications coalesce: a
/// subscriber busy or not yet waiting sees one change however many commits came meanwhile,
/// so a burst of commits costs each page one look at the store. Changes made by other
/// replicas sharing the store are not seen here; readers poll for those, rarely.
public final class ChangeFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [Int: ChangeSubscription] = [:]
    private var last = 0

    public init() {}

    /// A subscription to changes of any of `lists`; `cancel` it when done.
    public func subscribe(to lists: ChangedLists) -> ChangeSubscription {
        lock.withLock {
            last += 1
            let s = ChangeSubscription(id: last, lists: lists, feed: self)
            subscribers[last] = s
            return s
        }
    }

    /// Wakes every subscriber following any of `lists`.
    public func notify(_ lists: ChangedLists) {
        guard !lists.isEmpty else { return }
        let woken = lock.withLock { subscribers.values.filter { !$0.lists.isDisjoint(with: lists) } }
        for s in woken { s.signal() }
    }

    /// How many subscriptions are open.
    public var count: Int { lock.withLock { subscribers.count } }

    func remove(_ id: Int) { _ = lock.withLock { subscribers.removeValue(forKey: id) } }
}

/// One reader's view of a `ChangeFeed`: `next(timeout:)` waits for a change, at most that long.
public final class ChangeSubscription: @unchecked Sendable {
    let id: Int
    let lists: ChangedLists
    private weak var feed: ChangeFeed?
    private let lock = NSLock()
    /// A change came while no one waited.
    private var pending = false
    private var waiter: (wait: Int, continuation: CheckedContinuation<Bool, Never>)?
    private var waits = 0

    init(id: Int, lists: ChangedLists, feed: ChangeFeed) {
        self.id = id
        self.lists = lists
        self.feed = feed
    }

    /// True when a change came (or had come since the last call), false after `timeout` seconds
    /// without one or when the waiting task is cancelled.
    public func next(timeout: Double) async -> Bool {
        let wait = lock.withLock {
            waits += 1
            return waits
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let ready: Bool? = lock.withLock {
                    if pending {
                        pending = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    waiter = (wait, c)
                    return nil
                }
                if let ready { return c.resume(returning: ready) }
                Task { [weak self] in
                    try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9))
                    self?.end(wait, changed: false)
                }
            }
        } onCancel: {
            end(wait, changed: false)
        }
    }

    /// A change: the waiting reader wakes, or the next wait returns at once.
    func signal() {
        let c: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let w = waiter else {
                pending = true
                return nil
            }
            waiter = nil
            return w.continuation
        }
        c?.resume(returning: true)
    }

    /// Ends wait number `wait` if it is still the one waiting (a late timeout of an earlier wait
    /// must not end a later one).
    private func end(_ wait: Int, changed: Bool) {
        let c: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let w = waiter, w.wait == wait else { return nil }
            waiter = nil
            return w.continuation
        }
        c?.resume(returning: changed)
    }

    /// Leaves the feed.
    public func cancel() { feed?.remove(id) }
}
