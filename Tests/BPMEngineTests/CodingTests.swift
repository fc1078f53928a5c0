import BPMEngine
import BPMExpressions
import Foundation
import Testing

@Suite struct CodingTests {
    @Test func isoMatchesFoundationAndRoundTrips() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // whole milliseconds from 1900 to 2200, so both sides round alike
            let ms = Double(Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &g))
            let d = Date(timeIntervalSince1970: ms / 1000)
            let s = Coding.iso(d)
            #expect(s == f.string(from: d).replacingOccurrences(of: "+00:00", with: "Z"))
            #expect(Coding.date(s) == d)
        }
    }

    @Test func isoClampsToYearsOneToNineThousandNineHundredNinetyNine() {
        #expect(Coding.iso(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Coding.iso(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(Coding.iso(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.999Z")
        #expect(Coding.iso(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00.000Z")
        #expect(Coding.iso(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00.000Z")
    }

    /// Compensation in progress (the records of completed activities, a throw running its
    /// handlers) survives encoding; a state stored before compensation existed reads back with none.
    @Test func compensationStateSurvivesEncoding() throws {
        var s = InstanceState(id: "i", definitionId: "p", definitionVersion: 1, variables: ["x": 1], startedAt: Date(timeIntervalSince1970: 0))
        var done = CompensationRecord(id: "i-c1", elementId: "sub", scope: nil, variables: ["x": 0], inner: "i-k2")
        done.expanded = true
        let inner = CompensationRecord(id: "i-c2", elementId: "a", scope: "i-k2", variables: ["item": "LH1"])
        s.compensable = [CompensationRecord(id: "i-c3", elementId: "b", scope: "i-k9", variables: [:])]
        s.tokens = [Token(id: "i-k5", elementId: "throw", wait: .compensating(pending: [done], resume: false)),
                    Token(id: "i-k6", elementId: "undo", wait: .compensationHandler(inner), scope: "i-k5")]
        func restored(_ execution: Value) -> InstanceState {
            InstanceState(id: s.id, definitionId: s.definitionId, definitionVersion: 1, status: s.status, variables: s.variables,
                          execution: execution, correlationKey: nil, businessKey: nil, startedAt: s.startedAt, endedAt: nil,
                          revision: s.revision)
        }
        #expect(restored(try JSON.parse(JSON.encode(s.executionValue))) == s)
        #expect(restored(.context(["seq": 3])).compensable.isEmpty)
    }
}
