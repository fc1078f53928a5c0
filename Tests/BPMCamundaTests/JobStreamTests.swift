import BPMCamunda
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// `StreamActivatedJobs` through the facade: batches delivered in order, and what a stream
/// locked but could not deliver (its consumer failed or went away) given back at once.
@Suite(.serialized) struct JobStreamTests {
    struct ConsumerGone: Error {}

    /// Starts `n` order instances: `n` charge jobs waiting.
    func orders(_ g: CamundaGateway, _ n: Int) async throws {
        _ = try await g.deployOrder()
        for i in 0..<n {
            _ = try await g.createInstance(
                CamundaCreateInstance(bpmnProcessId: "order", variables: ["orderId": .string("o-\(i)")]))
        }
    }

    @Test(arguments: ["sqlite", "postgres"]) func undeliveredJobsAreGivenBack(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        try await orders(g, 5)
        var got: [CamundaActivatedJob] = []
        let stream = CamundaActivateJobs(type: "charge", worker: "streamer", timeout: 600_000)
        await #expect(throws: ConsumerGone.self) {
            try await g.streamJobs(stream, batch: 32) { job in
                guard got.count < 2 else { throw ConsumerGone() }
                got.append(job)
            }
        }
        #expect(got.count == 2 && got.allSatisfy { $0.worker == "streamer" && $0.type == "charge" })
        // the three jobs the stream locked and did not deliver: another worker's at once,
        // not after the stream's ten-minute lock
        let other = try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "other", timeout: 60_000, maxJobsToActivate: 10,
                                requestTimeout: -1))
        #expect(other.count == 3)
        #expect(Set(other.map(\.key)).isDisjoint(with: got.map(\.key)))
    }

    @Test func aCancelledStreamEndsAndGivesBackItsRound() async throws {
        let (store, cleanup) = try await camundaStore("sqlite")
        defer { cleanup() }
        let g = try await camundaGateway(store)
        try await orders(g, 3)
        let first = AsyncStream.makeStream(of: CamundaKey.self)
        let stall = AsyncStream.makeStream(of: Void.self)  // never yields: a full HTTP/2 window
        defer { stall.continuation.finish() }
        let written = Locked(0)
        let stream = Task {
            try await g.streamJobs(CamundaActivateJobs(type: "charge", worker: "streamer", timeout: 600_000)) { job in
                if written.withLock({ n in n += 1; return n == 1 }) {
                    first.continuation.yield(job.key)
                    return
                }
                for await _ in stall.stream {}  // the second write waits until the stream is cancelled
                try Task.checkCancellation()
            }
        }
        var keys = first.stream.makeAsyncIterator()
        let delivered = try #require(await keys.next())
        stream.cancel()
        await #expect(throws: CancellationError.self) { try await stream.value }
        // the job being written and the one after it are given back
        let other = try await g.activateJobs(
            CamundaActivateJobs(type: "charge", worker: "other", timeout: 60_000, maxJobsToActivate: 10,
                                requestTimeout: -1))
        #expect(other.count == 2 && !other.map(\.key).contains(delivered))
    }
}
