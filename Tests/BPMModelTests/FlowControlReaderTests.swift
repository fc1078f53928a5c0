import BPMExpressions
import BPMModel
import Foundation
import Testing

/// `throttle:` and `unique:` in a YAML trigger, and the errors for bad ones.
@Suite struct FlowControlReaderTests {
    func trigger(_ lines: String, type: String = "event") -> String {
        """
        id: p
        trigger:
          type: \(type)
          topic: heatpump-alarms
        \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        activities:
          - {id: a, type: script, set: {x: 1}}
        """
    }

    @Test func throttleAndUniqueAreRead() throws {
        let d = try read(trigger("throttle: {starts: 3, per: 1h}\nunique: correlate"))
        #expect(d.trigger?.flow == FlowControl(throttle: .init(starts: 3, per: 3600), unique: .correlate))
        #expect(d.trigger?.hasPattern == true, "a throttle keeps state per key")
        let manual = try read(trigger("unique: refuse", type: "manual"))
        #expect(manual.trigger?.flow.unique == .refuse)
        #expect(manual.trigger?.hasPattern == false)
    }

    @Test func badFlowControlIsReportedWhereItIs() {
        #expect(errors(trigger("unique: always")) == ["test.yaml:5:11: error: unknown 'unique' policy 'always' (one of: refuse, correlate)"])
        #expect(errors(trigger("throttle: {starts: 0, per: 1h}")) == ["test.yaml:5:22: error: 'starts' must be 1 or more"])
        #expect(errors(trigger("throttle: {starts: 2}")) == ["test.yaml:5:13: error: 'throttle' needs 'per': the period, such as 1h"])
        #expect(errors(trigger("throttle: 5")) == ["test.yaml:5:13: error: 'throttle' must be a mapping such as {starts: 1, per: 1h}"])
        #expect(errors(trigger("throttle: {starts: 1, per: 1h}", type: "manual"))
            == ["test.yaml:5:13: error: 'throttle' applies to event triggers"])
    }

    @Test func recentStartsKeepOnlyThoseWithinThePeriod() {
        #expect(FlowControl.recentStarts([0, 100, 3599, 3600], at: 3699, per: 3600) == [100, 3599, 3600])
        #expect(FlowControl.recentStarts([0, 100], at: 3700, per: 3600).isEmpty, "a start exactly a period old no longer counts")
        #expect(FlowControl.recentStarts([], at: 0, per: 60).isEmpty)
    }
}
