import ArgumentParser
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// `bpm bench --intake` rows `plain-trigger` and `windowed-trigger`: one definition keyed by
/// device (1,000 devices) on its own topic, its condition on the reading itself (plain) or on
/// window aggregates per device (a sliding 10-minute average and a tumbling hourly maximum,
/// each key's buckets read and written with every batch); nothing starts in either, so the
/// difference is what the windows cost.
extension IntakeBench {
    static let keyedTopic = "bench-keyed"

    static func keyedDefinition(windowed: Bool) -> String {
        let trigger = windowed ? """
              condition: flow_avg_10m > 100 or flow_max_1h > 200
              windows:
                flow_avg_10m: {of: fields.flow_temp_c, avg: 10m}
                flow_max_1h: {of: fields.flow_temp_c, max: 1h, tumbling: true}
            """ : """
              condition: fields.flow_temp_c > 100
            """
        return """
            id: keyed-\(windowed ? "windowed" : "plain")
            trigger:
              topic: \(keyedTopic)
            \(trigger)
            variables:
              - {name: device_id, source: tags.device_id}
            activities:
              - {id: note, type: script, set: {hot: true}}
            """
    }

    /// A device's reading a second after the one before (the event's time is its timestamp).
    static func keyedPayload(_ i: Int) -> [UInt8] {
        let temp = 21 + Double(i % 97) / 10
        let tags = #"{"device_id": "hp\#(i % 1000)"}"#
        let fields = #"{"flow_temp_c": \#(temp)}"#
        return Array(#"{"tags": \#(tags), "fields": \#(fields), "timestamp": \#(1_790_000_000 + i / 1000)}"#.utf8)
    }

    func keyed(windowed: Bool, _ spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in
            let runtime = Runtime(store: store, connectors: ConnectorRegistry(), logger: Self.logger)
            try await runtime.start(timerLoop: false)
            _ = try await runtime.deploy(source: Self.keyedDefinition(windowed: windowed), file: "keyed.yaml")
            let secs = try await feed(runtime, payloads: (0..<10_000).map(Self.keyedPayload), topic: Self.keyedTopic)
            await runtime.shutdown()
            guard try await store.countInstances(status: nil) == 0 else {
                throw ValidationError("keyed benchmark: an instance started")
            }
            guard try await store.consumerOffsets(group: "bench").first?.next == Int64(events) else {
                throw ValidationError("keyed benchmark: positions not stored")
            }
            return Row(name: windowed ? "windowed-trigger" : "plain-trigger", store: label, events: events,
                       perSecond: Double(events) / secs, started: 0)
        }
    }
}
