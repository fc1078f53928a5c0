import BPMEngine
import BPMExpressions
import BPMStore
import Foundation

/// Event intake: events delivered by the API, and events consumed from Kafka and MQTT handed
/// over in batches (each event's effect committed with its position; see `ConsumedPositions`).
/// How an event reaches its definitions is `BatchContext+Events.swift`; how a definition reads
/// an event (trigger condition, variables, correlation key) is `EventIntake`.
extension Runtime {
    /// Delivers an event: it refreshes the running instance for its correlation key, or starts
    /// a new instance when the trigger condition holds (with `variables` added to the ones
    /// the event gives).
    public func publish(event: Value, topic: String? = nil, definitionId: String? = nil, variables: [String: Value] = [:])
        async throws -> [EventOutcome]
    {
        let work = Work.event(event, topic: topic, definitionId: definitionId, variables: variables)
        guard case .events(let o) = try await submit(work) else { return [] }
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
}
