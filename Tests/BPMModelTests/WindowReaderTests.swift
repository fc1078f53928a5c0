import BPMExpressions
import BPMModel
import Foundation
import Testing

/// `windows:` in a YAML trigger and `throttle: {excess: queue}`, and the errors for bad ones.
@Suite struct WindowReaderTests {
    func trigger(_ lines: String, key: Bool = true) -> String {
        """
        id: p
        trigger:
          topic: heatpump-telemetry
        \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        \(key ? "variables: [{name: device_id, source: tags.device_id}]" : "description: no key")
        activities:
          - {id: a, type: script, set: {x: 1}}
        """
    }

    @Test func windowsAreRead() throws {
        let d = try read(trigger("""
        windows:
          flow_avg_10m: {of: fields.flow_temp_c, avg: 10m}
          flow_max_1h: {of: fields.flow_temp_c, max: 1h, tumbling: true}
          rate: {of: fields.flow_temp_c, rate_of_change: 5m, buckets: 10}
        condition: flow_avg_10m > 30
        """))
        let w = try #require(d.trigger?.windows)
        #expect(w.map(\.name) == ["flow_avg_10m", "flow_max_1h", "rate"])
        #expect(w[0] == WindowAggregate(name: "flow_avg_10m", of: "fields.flow_temp_c", function: .avg, length: 600))
        #expect(w[1].tumbling && w[1].buckets == 1 && w[1].function == .max && w[1].length == 3600)
        #expect(w[2].function == .rateOfChange && w[2].buckets == 10 && w[2].width == 30)
    }

    @Test func badWindowsAreReportedWhereTheyAre() {
        #expect(errors(trigger("windows: {a: {of: fields.t, median: 5m}}")).contains(
            "test.yaml:4:31: error: unknown field 'median' in window 'a'"))
        #expect(errors(trigger("windows: {a: {of: fields.t}}")) == [
            "test.yaml:4:16: error: window 'a' needs a function with its length (one of: avg, min, max, count, sum, "
                + "first, last, rate_of_change)"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 5m, max: 5m}}")).first?
            .contains("has more than one") == true)
        #expect(errors(trigger("windows: {a: {avg: 5m}}")) == [
            "test.yaml:4:16: error: window 'a' needs 'of': the event path of the numbers, such as fields.flow_temp_c"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 0s}}")) == [
            "test.yaml:4:36: error: window 'a': 'avg' must be longer than zero"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 1h, buckets: 1000}}")) == [
            "test.yaml:4:49: error: window 'a': 'buckets' must be 1 to 360 "
                + "(per key and window memory is bounded to 360 buckets)"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 1h, tumbling: true, buckets: 5}}")).first?
            .contains("'buckets' applies to sliding windows") == true)
        #expect(errors(trigger("windows: {1a: {of: fields.t, avg: 1h}}")).first?
            .hasPrefix("test.yaml:4:13: error: window name '1a'") == true)
        #expect(errors(trigger("windows: {device_id: {of: fields.t, avg: 1h}}")) == [
            "test.yaml:4:13: error: window 'device_id' has the name of a variable"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 1h}}", key: false)) == [
            "test.yaml:4:12: error: 'windows' are kept per key: "
                + "the definition needs a 'correlation_key' (or a variable to key on)"])
        #expect(errors(trigger("windows: {a: {of: fields.t, avg: 1h}}\nsilence: 5m")).contains(
            "test.yaml:5:12: error: 'windows' do not combine with 'silence'"))
        let many = (0...WindowAggregate.maxWindows).map { "w\($0): {of: f, sum: 1m}" }.joined(separator: ", ")
        #expect(errors(trigger("windows: {\(many)}")).first?.contains("at most 16 windows") == true)
    }

    @Test func aQueuedThrottleIsRead() throws {
        let d = try read(trigger("throttle: {starts: 1, per: 1h, excess: queue, queue_limit: 5}"))
        #expect(d.trigger?.flow.throttle == .init(starts: 1, per: 3600, excess: .queue, queueLimit: 5))
        let dflt = try read(trigger("throttle: {starts: 1, per: 1h, excess: queue}"))
        #expect(dflt.trigger?.flow.throttle?.queueLimit == 100)
        #expect(try read(trigger("throttle: {starts: 1, per: 1h}")).trigger?.flow.throttle?.excess == .drop)
    }

    @Test func badQueuedThrottlesAreReportedWhereTheyAre() {
        #expect(errors(trigger("throttle: {starts: 1, per: 1h, excess: keep}")) == [
            "test.yaml:4:42: error: unknown 'excess' policy 'keep' (one of: drop, queue)"])
        #expect(errors(trigger("throttle: {starts: 1, per: 1h, queue_limit: 5}")) == [
            "test.yaml:4:47: error: 'queue_limit' applies with 'excess: queue'"])
        #expect(errors(trigger("throttle: {starts: 1, per: 1h, excess: queue, queue_limit: 0}")) == [
            "test.yaml:4:62: error: 'queue_limit' must be 1 to 10000 (queued starts are kept per key, bounded)"])
    }
}
