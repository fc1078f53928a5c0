import BPMEngine
import BPMStore
import Foundation
import Testing

@testable import BPMRuntime

/// Which waiting worker a batch's new jobs go to, and what the batch writes for them.
@Suite struct JobHandOffTests {
    let now = Date(timeIntervalSince1970: 1_000)

    func waiter(_ id: Int, _ type: String = "charge", max: Int = 32, lock: Double = 60) -> JobHandOff.Waiter {
        JobHandOff.Waiter(id: id, type: type, worker: "w\(id)", max: max, lock: lock)
    }

    func jobs(_ n: Int, _ type: String = "charge") -> [JobRecord] {
        (0..<n).map { job("\(type)-\($0)", action: type, external: true) }
    }

    @Test func jobsGoRoundRobinToFreeWaitersOfTheirTypeUpToEachMax() {
        var h = JobHandOff()
        h.add(waiter(1, max: 1))
        h.add(waiter(2, max: 3))
        h.add(waiter(3, "ship"))
        let grants = h.assign(jobs(5), now: now)
        let byWaiter = Dictionary(uniqueKeysWithValues: grants.map { ($0.waiter, $0.jobs.map(\.id)) })
        #expect(byWaiter == [1: ["charge-0"], 2: ["charge-1", "charge-2", "charge-3"]])
        // the fifth job is left for the store; the waiter of another type stays free
        #expect(h.free("charge").isEmpty)
        #expect(h.free("ship").map(\.id) == [3])
        #expect(h.reserved == [1, 2])
        #expect(grants.allSatisfy { $0.deadline == now + 60 })
    }

    @Test func aReservedWaiterIsNotTakenAwayUntilItsBatchIsAnswered() {
        var h = JobHandOff()
        h.add(waiter(1))
        h.add(waiter(2))
        let grants = h.assign(jobs(1), now: now)
        #expect(grants.map(\.waiter) == [1])
        // its timeout or cancellation leaves it to its batch; the other one may go
        let reserved = h.remove(1, type: "charge")
        let free = h.remove(2, type: "charge")
        #expect(!reserved && free)
        #expect(h.isEmpty)
        h.answered(grants)
        #expect(h.reserved.isEmpty)
        // no waiter: nothing handed over
        #expect(h.assign(jobs(3), now: now).isEmpty)
    }

    @Test func theBatchWritesEachHandedJobLockedToItsWorker() {
        var h = JobHandOff()
        h.add(waiter(1, lock: 30))
        h.add(waiter(2, lock: 90))
        let locks = JobHandOff.locks(h.assign(jobs(3), now: now))
        #expect(locks == [
            "charge-0": JobLock(worker: "w1", until: now + 30), "charge-1": JobLock(worker: "w2", until: now + 90),
            "charge-2": JobLock(worker: "w1", until: now + 30),
        ])
    }

    static let serviceTask = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
          <process id="pay" isExecutable="true">
            <startEvent id="s"/>
            <serviceTask id="charge">
              <extensionElements><zeebe:taskDefinition type="charge"/></extensionElements>
            </serviceTask>
            <endEvent id="e"/>
            <sequenceFlow id="a" sourceRef="s" targetRef="charge"/>
            <sequenceFlow id="b" sourceRef="charge" targetRef="e"/>
          </process>
        </definitions>
        """

    @Test func aWaitingWorkerGetsTheJobFromItsCommitAndItsReportAnswersTheCommittedState() async throws {
        let h = try await Harness(connectors: ConnectorRegistry())
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.serviceTask, file: "pay.bpmn")
        let poll = Task {
            try await h.runtime.activateJobs(type: "charge", worker: "w", max: 4, lock: 30, requestTimeout: 30)
        }
        for _ in 0..<10_000 where await h.runtime.waitingWorkers("charge") == 0 {
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        let started = try await h.runtime.startInstance("pay", variables: ["amount": 5])
        let jobs = try await poll.value
        #expect(jobs.map(\.job.instanceId) == [started.id])
        #expect(jobs.first?.job.definitionVersion == 1)  // told the worker without reading the instance
        #expect(jobs.first?.deadline == h.clock.now() + 30)
        let id = try #require(jobs.first?.job.id)
        #expect(try await h.store.job(id)?.lockedBy == "w")
        let after = try #require(try await h.runtime.reportJob(id, .completed(["charged": true])))
        let stored = try #require(try await h.store.instance(started.id))
        #expect(after.status == .completed && stored.status == .completed)
        #expect(after.revision == stored.revision && after.variables == stored.variables)
        #expect(after.variables["charged"] == true)
    }
}
