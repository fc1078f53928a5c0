import BPMCamunda
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// Jobs handed to a waiting worker by the commit that creates them: the worker gets the job
/// without a store lookup, and the store shows it activated (locked to that worker until its
/// timeout), so no other worker or replica sharing the store gets it meanwhile.
@Suite(.serialized) struct JobHandOffStoreTests {
    /// Waits (bounded) until `n` workers of `type` wait for a hand-off.
    func waiting(_ r: Runtime, _ type: String, _ n: Int) async throws {
        for _ in 0..<10_000 where await r.waitingWorkers(type) < n { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(await r.waitingWorkers(type) == n)
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aWaitingWorkerIsHandedTheNewJobLockedToIt(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let clock = ManualClock()
        let g = try await camundaGateway(store, clock: clock)
        _ = try await g.deployOrder()
        let poll = Task {
            try await g.activateJobs(CamundaActivateJobs(type: "charge", worker: "early", timeout: 60_000,
                                                         maxJobsToActivate: 5, requestTimeout: 60_000))
        }
        try await waiting(g.runtime, "charge", 1)
        let created = try await g.createInstance(
            CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": .string("o-1")]))
        let jobs = try await poll.value
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job.worker == "early" && job.processInstanceKey == created.processInstanceKey)
        #expect(job.variables["orderId"] == .string("o-1") && job.retries == 3)
        #expect(job.deadline == Int64(((clock.now().timeIntervalSince1970 + 60) * 1000).rounded()))
        #expect(await g.runtime.waitingWorkers("charge") == 0)
        // activated in the store: another worker gets nothing until the timeout runs out
        let id = try await g.keys.id(job.key, .job, what: "job")
        #expect(try await store.job(id)?.lockedBy == "early")
        #expect(try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "late", timeout: 60_000, requestTimeout: -1)).isEmpty)
        clock.advance(by: 61)
        let again = try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "late", timeout: 60_000, requestTimeout: -1))
        #expect(again.map(\.key) == [job.key] && again.first?.worker == "late")
        // the worker's completion moves the instance on, as after a store activation
        try await g.completeJob(key: job.key, variables: ["charged": .bool(true)])
        #expect(try await store.job(id) == nil)
    }

    @Test func aWaitingWorkerGivesUpAtItsRequestTimeoutAndTheJobWaitsInTheStore() async throws {
        let (store, cleanup) = try await camundaStore("sqlite")
        defer { cleanup() }
        let g = try await camundaGateway(store)
        _ = try await g.deployOrder()
        let none = try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "brief", timeout: 60_000, requestTimeout: 50))
        #expect(none.isEmpty)
        #expect(await g.runtime.waitingWorkers("charge") == 0)
        _ = try await g.createInstance(CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": "o-2"]))
        let later = try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "later", timeout: 60_000, requestTimeout: -1))
        #expect(later.count == 1 && later.first?.worker == "later")
    }
}
