import BPMEngine
import BPMStore
import Foundation

/// What a runtime picks up when it starts: the schedules of timer start events and the jobs
/// left unfinished by the process before it.
enum Recovery {
    /// The schedules of the latest versions' timer start events, written only where none is
    /// stored yet (a schedule already running keeps its times).
    static func startSchedules(_ registry: DefinitionRegistry, now: Date) -> CommitBatch {
        var ensure = CommitBatch()
        for (def, version) in registry.all { ensure.timersToEnsure += StartTimers.initial(def, version: version, now: now) }
        return ensure
    }

    /// The connector jobs to run again: alone on the store, every stored job was left by a
    /// crash; on a store shared by replicas, only those whose lease ran out (`takeOver`
    /// claims them), the others being another live replica's.
    static func jobsToResume(_ store: any ProcessStore, takeOver: () async throws -> [JobRecord]) async throws -> [JobRecord] {
        store.sharedByReplicas ? try await takeOver() : try await store.pendingJobs(limit: 1_000_000)
    }
}
