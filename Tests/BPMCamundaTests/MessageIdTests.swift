import BPMCamunda
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// `messageId` de-duplication lives in the store (`camunda_message_ids`), so a second gateway —
/// another replica, or this server after a restart — refuses a duplicate within the first
/// message's time to live; one-off keys (messages, signals, evaluations) leave no row behind.
@Suite(.serialized) struct CamundaMessageIdTests {
    @Test(arguments: ["sqlite", "postgres"]) func duplicatesAreRefusedByEveryGatewayOnTheStore(_ kind: String)
        async throws
    {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let clock = ManualClock()
        let g = try await camundaGateway(store, clock: clock)
        let other = CamundaGateway(runtime: g.runtime, version: "test")
        func publish(_ on: CamundaGateway, _ name: String = "paid", ttl: Int64 = 10_000) async -> CamundaError.Code? {
            await camundaCode {
                _ = try await on.publishMessage(
                    CamundaPublishMessage(name: name, correlationKey: "o-1", timeToLive: ttl, messageId: "m-1"))
            }
        }
        #expect(await publish(g) == nil)
        #expect(await publish(other) == .alreadyExists)
        #expect(await publish(other, "shipped") == nil)  // the pair is (name, messageId)
        clock.advance(by: 9)
        #expect(await publish(g) == .alreadyExists)
        clock.advance(by: 2)  // the first message's time to live is over
        #expect(await publish(other) == nil)
        #expect(await publish(g) == .alreadyExists)
        // a message without a time to live is not buffered: its id is free again at once
        #expect(await publish(g, "ping", ttl: 0) == nil)
        #expect(await publish(g, "ping", ttl: 0) == nil)
    }

    @Test(arguments: ["sqlite", "postgres"]) func oneOffKeysAreFreshAndKeepNoRow(_ kind: String) async throws {
        let (store, cleanup) = try await camundaStore(kind)
        defer { cleanup() }
        let g = try await camundaGateway(store)
        let m1 = try await g.publishMessage(CamundaPublishMessage(name: "a", correlationKey: "k"))
        let s1 = try await g.broadcastSignal(name: "go", variables: [:])
        let pi = try await g.keys.key(.processInstance, "instance-1")
        let m2 = try await g.publishMessage(CamundaPublishMessage(name: "a", correlationKey: "k"))
        #expect(Set([m1.key, s1.key, pi, m2.key]).count == 4 && m1.key < s1.key && s1.key < pi && pi < m2.key)
        for k in [m1.key, s1.key, m2.key] { #expect(try await store.camundaRef(k - CamundaKeys.base) == nil) }
        #expect(try await store.camundaRef(pi - CamundaKeys.base) == KeyRef(kind: "pi", id: "instance-1"))
        #expect(try await g.keys.ref(m1.key) == nil)
    }
}
