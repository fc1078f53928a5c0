import BPMEngine
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
}
