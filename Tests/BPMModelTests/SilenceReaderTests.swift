import BPMModel
import Foundation
import Testing

/// `silence:` and `debounce:` on a YAML trigger, and the errors for bad ones.
@Suite struct SilenceReaderTests {
    func trigger(_ lines: String, type: String = "event", key: Bool = true) -> String {
        """
        id: p
        trigger:
          type: \(type)
          topic: sensors/+/status
        \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        \(key ? "correlation_key: device_id" : "")
        activities:
          - {id: a, type: script, set: {x: 1}}
        """
    }

    @Test func silenceAndDebounceAreRead() throws {
        #expect(try read(trigger("silence: {after: PT5M}")).trigger?.silence == Silence(after: 300))
        #expect(try read(trigger("silence: 90s")).trigger?.silence == Silence(after: 90))
        #expect(try read(trigger("silence: {after: 5m, message: device-silent}")).trigger?.silence
            == Silence(after: 300, message: "device-silent"))
        #expect(try read(trigger("debounce: 30s")).trigger?.silence == Silence(kind: .debounce, after: 30))
        #expect(try read(trigger("condition: true")).trigger?.silence == nil)
        #expect(Silence(after: 300).slack == 30)
    }

    @Test func badSilencesAreReportedWhereTheyAre() {
        #expect(errors(trigger("silence: {after: 0s}")) == ["test.yaml:5:20: error: 'after' must be longer than zero"])
        #expect(errors(trigger("silence: {message: x}"))
            == ["test.yaml:5:12: error: 'silence' needs 'after': how long a key may stay quiet, such as 5m"])
        #expect(errors(trigger("silence: {after: 5m, every: 1m}")).first?
            .hasPrefix("test.yaml:5:24: error: unknown field 'every'") == true)
        #expect(errors(trigger("silence: [5m]"))
            == ["test.yaml:5:12: error: 'silence' must be a duration or a mapping such as {after: 5m}"])
        #expect(errors(trigger("debounce: soon")).first?.hasPrefix("test.yaml:5:13: error: debounce:") == true)
        #expect(errors(trigger("silence: 5m\ndebounce: 1m"))
            == ["test.yaml:6:13: error: a trigger has either 'silence' or 'debounce', not both"])
        #expect(errors(trigger("silence: 5m\nthrottle: {starts: 1, per: 1h}")).contains(
            "test.yaml:6:13: error: 'silence' fires on the absence of events and does not combine with 'throttle'"))
        #expect(errors(trigger("silence: 5m", key: false)) == [
            "test.yaml:5:12: error: 'silence' is kept per key: "
                + "the definition needs a 'correlation_key' (or a variable to key on)"])
        #expect(errors(trigger("debounce: 5m", type: "manual"))
            == ["test.yaml:5:13: error: 'debounce' applies to event triggers"])
    }
}
