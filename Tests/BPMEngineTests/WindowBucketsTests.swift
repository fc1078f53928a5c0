import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

/// The arithmetic of window aggregates: buckets, sliding and tumbling windows, every function,
/// late samples, the bound on memory, the stored form and the event's time.
@Suite struct WindowBucketsTests {
    func window(_ f: WindowAggregate.Function, _ length: Double = 600, tumbling: Bool = false, buckets: Int = 60)
        -> WindowAggregate
    {
        WindowAggregate(name: "w", of: "v", function: f, length: length, tumbling: tumbling, buckets: buckets)
    }

    func fed(_ samples: [(Double, Double)], _ w: WindowAggregate) -> WindowBuckets {
        var b = WindowBuckets()
        for (t, v) in samples { b.add(v, at: t, w) }
        return b
    }

    @Test func everyFunctionOverASlidingWindow() {
        let samples: [(Double, Double)] = [(1000, 20), (1100, 26), (1200, 23), (1300, 31)]
        func value(_ f: WindowAggregate.Function) -> Value { fed(samples, window(f)).value(at: 1300, window(f)) }
        #expect(value(.count) == 4)
        #expect(value(.sum) == 100)
        #expect(value(.avg) == 25)
        #expect(value(.min) == 20)
        #expect(value(.max) == 31)
        #expect(value(.first) == 20)
        #expect(value(.last) == 31)
        #expect(value(.rateOfChange) == .number(11.0 / 300), "per second, last − first over their times")
    }

    @Test func oldSamplesLeaveASlidingWindow() {
        let w = window(.avg, 600, buckets: 60)  // buckets of 10 s
        let b = fed([(1000, 10), (1300, 20), (1590, 30)], w)
        #expect(b.value(at: 1590, w) == 20)
        // at 1605 the window holds buckets 101…160 (1010 s on): the sample at 1000 is out
        #expect(b.value(at: 1605, w) == 25)
        #expect(b.value(at: 2200, w) == .null, "nothing left: no average")
        #expect(fed([(1000, 10)], window(.count)).value(at: 5000, window(.count)) == 0, "a count of nothing is 0")
    }

    @Test func aTumblingWindowStartsAgainEachPeriod() {
        let w = window(.max, 3600, tumbling: true)
        var b = fed([(3600, 40), (5000, 45)], w)
        #expect(b.value(at: 5000, w) == 45)
        b.add(30, at: 7300, w)  // the next hour
        #expect(b.value(at: 7300, w) == 30)
        #expect(b.buckets.count == 1)
        let late = b.add(99, at: 7100, w)
        #expect(!late, "a sample of a past period came too late")
        #expect(b.value(at: 7300, w) == 30)
        #expect(b.value(at: 11000, w) == .null, "a new period without samples")
    }

    @Test func memoryIsBoundedByTheBuckets() {
        let w = window(.sum, 60, buckets: 6)
        var b = WindowBuckets()
        for i in 0..<10_000 { b.add(1, at: Double(i), w) }
        #expect(b.buckets.count <= 6)
        #expect(b.value(at: 9999, w) == 60, "the last six 10 s buckets")
    }

    @Test func lateSamplesInsideTheWindowCountAndOlderOnesDoNot() {
        let w = window(.first, 600)
        var b = fed([(1500, 5)], w)
        let inside = b.add(3, at: 1200, w)
        #expect(inside, "out of order but inside the window")
        #expect(b.value(at: 1500, w) == 3)
        let tooOld = b.add(1, at: 800, w)
        #expect(!tooOld)
        #expect(b.buckets.map(\.index) == [120, 150])
    }

    @Test func rateOfChangeNeedsTime() {
        let w = window(.rateOfChange)
        #expect(fed([(10, 1)], w).value(at: 10, w) == .null)
        #expect(fed([(10, 1), (20, -9)], w).value(at: 20, w) == -1)
    }

    @Test func theStoredFormReadsBack() {
        let w = window(.avg)
        let b = fed([(1000, 10), (1300, 20)], w)
        #expect(WindowBuckets(stored: b.stored, w) == b)
        #expect(WindowBuckets(stored: .list([.list([1, 2])]), w).buckets.isEmpty, "a row that does not fit is left out")
        let fewer = window(.avg, buckets: 1)
        #expect(WindowBuckets(stored: b.stored, fewer).buckets.count == 1, "at most the window's buckets")
    }

    @Test func aTriggersWindowsTakeTheEventsNumbers() {
        let windows = [window(.count), WindowAggregate(name: "m", of: "fields.t", function: .max, length: 60)]
        var state: [String: Value] = [:]
        var values: [String: Value] = [:]
        let events: [(Double, Value)] = [(100.0, ["fields": ["t": 21]]), (110, ["fields": ["t": "warm"]]),
                                         (120, ["v": 1])]
        for (t, event) in events {
            (state, values) = WindowAggregates.apply(windows, event: event, at: t, state: state)
        }
        #expect(values == ["w": 1, "m": 21], "only numbers at the window's path count")
    }

    @Test func theEventsTimeIsItsTimestamp() {
        #expect(WindowAggregates.time(of: ["timestamp": 1_790_000_000], now: 5) == 1_790_000_000)
        #expect(WindowAggregates.time(of: ["timestamp": 1_790_000_000_500], now: 5) == 1_790_000_000.5)
        #expect(WindowAggregates.time(of: ["timestamp": 1.79e18], now: 5) == 1_790_000_000)
        #expect(WindowAggregates.time(of: ["timestamp": "2026-11-26T10:00:00Z"], now: 5) == 1_795_687_200)
        #expect(WindowAggregates.time(of: ["timestamp": "yesterday"], now: 5) == 5)
        #expect(WindowAggregates.time(of: ["fields": [:]], now: 5) == 5, "no timestamp: the engine's clock")
    }
}

extension WindowBucketsTests {
    /// A key's windows may go once nothing was added for the longest window (engine clock) and
    /// no bucket is inside its window (the samples' own times).
    @Test func aKeysWindowsExpireOnlyWhenQuietOnBothClocks() {
        let avg = window(.avg, 600), max = window(.max, 3600, tumbling: true)
        let at = 1_800_000_000.0
        var state: [String: Value] = [
            "w": fed([(at, 20)], avg).stored, WindowAggregates.writtenKey: .number(at),
        ]
        #expect(!WindowAggregates.expired(state, [avg], now: at + 599), "the sample is still inside")
        #expect(WindowAggregates.expired(state, [avg], now: at + 600))
        #expect(!WindowAggregates.expired(state, [avg, max], now: at + 600), "the longest window (1h) counts")
        // a backlog replayed now, its samples an hour old by their timestamps: written just now, it stays
        state[WindowAggregates.writtenKey] = .number(at + 3600)
        #expect(!WindowAggregates.expired(state, [avg], now: at + 3601))
        #expect(WindowAggregates.expired(state, [avg], now: at + 4200))
        // a device whose clock runs a day ahead: its samples are inside their window until then
        let ahead: [String: Value] = ["w": fed([(at + 86_400, 20)], avg).stored,
                                      WindowAggregates.writtenKey: .number(at)]
        #expect(!WindowAggregates.expired(ahead, [avg], now: at + 3600))
        #expect(WindowAggregates.expired([:], [avg], now: at), "nothing stored: nothing to keep")
        #expect(WindowAggregates.expired(state, [], now: at), "windows no longer configured")
    }
}
