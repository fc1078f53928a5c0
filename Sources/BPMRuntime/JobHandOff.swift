import BPMEngine
import BPMStore
import Foundation

/// Workers waiting for jobs of a type (long polls, job streams) and the jobs a batch hands
/// them directly, without a store round trip: the batch that creates a job writes it locked
/// to the worker it is handed to (`CommitBatch.jobLocks`), and the worker gets it once that
/// batch is committed. So a job is handed to one worker alone, and replicas sharing the store
/// see it activated like any other. A value whose transitions say whom to answer; the runtime
/// holds the waiting callers (`Runtime+HandOff.swift`).
struct JobHandOff: Sendable {
    /// A caller waiting for jobs of `type`.
    struct Waiter: Sendable, Equatable {
        var id: Int
        var type: String
        var worker: String
        /// Most jobs it takes.
        var max: Int
        /// How long its jobs stay locked to it (seconds).
        var lock: Double
    }

    /// Jobs for one waiter, locked until `deadline`.
    struct Grant: Sendable {
        var waiter: Int
        var worker: String
        var jobs: [JobRecord]
        var deadline: Date
    }

    /// Waiting and free, by job type, oldest first.
    private(set) var waiting: [String: [Waiter]] = [:]
    /// Waiters a closed batch has handed jobs to, not yet answered (their batch not yet
    /// committed or failed): a timeout or cancellation does not take them away.
    private(set) var reserved: Set<Int> = []

    /// Whether no waiter is free.
    var isEmpty: Bool { waiting.isEmpty }

    /// A new waiter, free to take jobs.
    mutating func add(_ w: Waiter) { waiting[w.type, default: []].append(w) }

    /// Takes a free waiter away (its wait ended); false when a batch holds it (it is answered
    /// when that batch is) or it is gone.
    mutating func remove(_ id: Int, type: String) -> Bool {
        guard let i = waiting[type]?.firstIndex(where: { $0.id == id }) else { return false }
        waiting[type]?.remove(at: i)
        if waiting[type]?.isEmpty == true { waiting[type] = nil }
        return true
    }

    /// Free waiters of a type.
    func free(_ type: String) -> [Waiter] { waiting[type] ?? [] }

    /// Hands jobs created by a batch to the free waiters of their types, round robin (each up to
    /// its `max`), locked from `now`; the waiters given jobs are reserved. Jobs no waiter takes
    /// stay in the store for the next activation.
    mutating func assign(_ jobs: [JobRecord], now: Date) -> [Grant] {
        var byType: [String: [JobRecord]] = [:]
        for j in jobs { byType[j.action, default: []].append(j) }
        var grants: [Grant] = []
        for (type, list) in byType {
            guard let free = waiting[type], !free.isEmpty else { continue }
            var given = Array(repeating: [JobRecord](), count: free.count)
            var next = 0
            var open = free.count  // waiters that still take a job
            for job in list where open > 0 {
                while given[next].count >= free[next].max { next = (next + 1) % free.count }
                given[next].append(job)
                if given[next].count == free[next].max { open -= 1 }
                next = (next + 1) % free.count
            }
            var kept: [Waiter] = []
            for (w, js) in zip(free, given) {
                if js.isEmpty { kept.append(w); continue }
                reserved.insert(w.id)
                grants.append(Grant(waiter: w.id, worker: w.worker, jobs: js, deadline: now.addingTimeInterval(w.lock)))
            }
            waiting[type] = kept.isEmpty ? nil : kept
        }
        return grants
    }

    /// The grants' waiters are answered (their batch committed, or failed): no longer reserved.
    mutating func answered(_ grants: [Grant]) {
        for g in grants { reserved.remove(g.waiter) }
    }

    /// The locks a batch writes for its grants, by job id.
    static func locks(_ grants: [Grant]) -> [String: JobLock] {
        var locks: [String: JobLock] = [:]
        for g in grants {
            for j in g.jobs { locks[j.id] = JobLock(worker: g.worker, until: g.deadline) }
        }
        return locks
    }
}
