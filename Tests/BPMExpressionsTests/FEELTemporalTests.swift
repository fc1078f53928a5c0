import BPMExpressions
import Testing

/// Temporal values (DMN 1.5 §10.3.2.3): literals, properties (Table 60), arithmetic across
/// offsets, and `string()` of every kind of value.
@Suite struct FEELTemporalTests {
    func eval(_ s: String) throws -> Value { try Expression(s).evaluate([:]) }

    @Test func properties() throws {
        #expect(try eval("@\"2021-03-14\".year") == 2021)
        #expect(try eval("@\"2021-03-14\".month") == 3)
        #expect(try eval("@\"2021-03-14\".day") == 14)
        #expect(try eval("@\"2021-03-14\".weekday") == 7)  // a Sunday; Monday is 1
        #expect(try eval("@\"2021-03-14T10:20:30+02:00\".hour") == 10)
        #expect(try eval("@\"2021-03-14T10:20:30+02:00\".minute") == 20)
        #expect(try eval("@\"2021-03-14T10:20:30+02:00\".second") == 30)
        #expect(try eval("@\"2021-03-14T10:20:30+02:00\".time offset") == (try eval("@\"PT2H\"")))
        #expect(try eval("@\"10:20:30@Europe/Paris\".timezone") == "Europe/Paris")
        #expect(try eval("@\"P1DT2H3M4S\".days") == 1)
        #expect(try eval("@\"P1DT2H3M4S\".hours") == 2)
        #expect(try eval("@\"P1DT2H3M4S\".minutes") == 3)
        #expect(try eval("@\"P1DT2H3M4S\".seconds") == 4)
        #expect(try eval("@\"P2Y5M\".years") == 2)
        #expect(try eval("@\"P2Y5M\".months") == 5)
    }

    @Test func arithmeticAcrossOffsets() throws {
        #expect(try eval("@\"2021-01-01T10:00:00+01:00\" = @\"2021-01-01T09:00:00Z\"") == true)
        #expect(try eval("@\"2021-01-01T10:00:00+01:00\" - @\"2021-01-01T08:00:00Z\"") == (try eval("@\"PT1H\"")))
        #expect(try eval("@\"2021-01-31\" + @\"P1M\"") == (try eval("@\"2021-02-28\"")))
        #expect(try eval("@\"23:00:00\" + @\"PT2H\"") == (try eval("@\"01:00:00\"")))
        #expect(try eval("@\"2021-01-01T00:00:00\" - @\"2021-01-01T00:00:00Z\"") == .null)
        #expect(try eval("@\"P1Y\" + @\"P2M\"") == (try eval("@\"P1Y2M\"")))
        #expect(try eval("@\"PT1H\" * 2") == (try eval("@\"PT2H\"")))
        #expect(try eval("@\"PT2H\" / @\"PT1H\"") == 2)
    }

    @Test func invalidLiteralIsAnError() {
        #expect(throws: ExpressionError.self) { try Expression("@\"2021-02-30\"") }
    }

    // §10.3.4.1 string(from), and the text of each kind (§10.3.2.3)
    @Test func stringOfEveryKind() throws {
        #expect(try eval("string(1.5)") == "1.5")
        #expect(try eval("string(1e20)") == "100000000000000000000")
        #expect(try eval("string(0.000001)") == "0.000001")
        #expect(try eval("string(true)") == "true")
        #expect(try eval("string(\"a\")") == "a")
        #expect(try eval("string(@\"2021-03-04\")") == "2021-03-04")
        #expect(try eval("string(@\"10:20:00+01:00\")") == "10:20:00+01:00")
        #expect(try eval("string(@\"2021-03-04T10:20:00Z\")") == "2021-03-04T10:20:00Z")
        #expect(try eval("string(@\"P1DT2H\")") == "P1DT2H")
        #expect(try eval("string(@\"-P14M\")") == "-P1Y2M")
        #expect(try eval("string([1, \"a\"])") == "[1, \"a\"]")
        #expect(try eval("string({b: 2, a: [true]})") == "{a: [true], b: 2}")
        #expect(try eval("string([1..5))") == "[1..5)")
        #expect(try eval("string(null)") == .null)
    }

    @Test func camundaTemporalExtensions() throws {
        #expect(try eval("last day of month(@\"2024-02-10\")") == (try eval("@\"2024-02-29\"")))
        #expect(
            try eval("date and time(@\"2021-01-01T10:00:00Z\", \"+01:00\")")
                == (try eval("@\"2021-01-01T11:00:00+01:00\"")))
        #expect(try eval("abs(@\"-PT2H\")") == (try eval("@\"PT2H\"")))
    }
}
