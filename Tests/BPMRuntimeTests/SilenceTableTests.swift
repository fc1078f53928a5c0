@testable import BPMRuntime
import Foundation
import Testing

/// The per-key state machine of silence and debounce triggers, on explicit times (no clock).
@Suite struct SilenceTableTests {
    @Test func aKeyFiresOnceAfterItsQuietPeriodWithItsLastVariables() {
        var t = SilenceTable(after: 300, slack: 30)
        let r1 = t.touch("hp-1", at: 0, variables: #"{"v":1}"#)
        #expect(r1, "a new key's row is written")
        let r2 = t.touch("hp-1", at: 10, variables: #"{"v":2}"#)
        #expect(r2, "no row committed yet (its batch is in flight): written again")
        let r3 = t.due(at: 309.9)
        #expect(r3.isEmpty)
        #expect(t.nextDue == 310)
        let r4 = t.due(at: 310)
        #expect(r4 == [.init(key: "hp-1", variables: #"{"v":2}"#, lastSeen: 10)])
        let r5 = t.due(at: 10_000)
        #expect(r5.isEmpty, "fired once: forgotten until the next event")
        #expect(t.count == 0)
        let r6 = t.touch("hp-1", at: 20_000, variables: "{}")
        #expect(r6, "the next event arms it again, as a new key")
    }

    @Test func rowsAreRewrittenAtMostOncePerSlackHoweverManyEvents() {
        var t = SilenceTable(after: 300, slack: 30)
        var writes = 0
        // ten events a second for ten minutes
        for i in 0..<6000 {
            let at = Double(i) / 10
            if t.touch("hp-1", at: at, variables: "{}") {
                writes += 1
                t.committed("hp-1", at: at)
            }
        }
        #expect(writes == 20, "600 s at one write per 30 s: 6000 events cost 20 writes")
        let r7 = t.due(at: 899.8)
        #expect(r7.isEmpty)
        let r8 = t.due(at: 899.9)
        #expect(r8.count == 1)
    }

    @Test func keysFireInTheOrderTheyWentQuietAndATouchMovesOne() {
        var t = SilenceTable(after: 60, slack: 6)
        for (i, k) in ["a", "b", "c"].enumerated() { _ = t.touch(k, at: Double(i), variables: "{}") }
        _ = t.touch("a", at: 5, variables: "{}")
        let r9 = t.due(at: 62)
        #expect(r9.map(\.key) == ["b", "c"])
        let r10 = t.due(at: 65)
        #expect(r10.map(\.key) == ["a"])
        for k in ["x", "y", "z"] { _ = t.touch(k, at: 100, variables: "{}") }
        let r11 = t.due(at: 160, limit: 2)
        #expect(r11.map(\.key) == ["x", "y"], "at most the limit, the rest stays due")
        let r12 = t.due(at: 160)
        #expect(r12.map(\.key) == ["z"])
    }

    @Test func restoredKeysFireNeverEarlyAndAtMostSlackLate() {
        var t = SilenceTable(after: 300, slack: 30)
        // stored at 1000: the last event came in [1000, 1030); the engine restarts at 1100
        t.restore([(key: "hp-1", stored: 1000, variables: #"{"v":7}"#, exact: false),
                   (key: "hp-0", stored: 900, variables: "{}", exact: false)], now: 1100)
        t.notBefore = 1110
        let r13 = t.due(at: 1229)
        #expect(r13.isEmpty, "hp-0: 900 + 30 + 300")
        let r14 = t.due(at: 1230)
        #expect(r14.map(\.key) == ["hp-0"])
        let r15 = t.due(at: 1329)
        #expect(r15.isEmpty)
        let r16 = t.due(at: 1330)
        #expect(r16 == [.init(key: "hp-1", variables: #"{"v":7}"#, lastSeen: 1030)])
    }

    @Test func nothingFiresBeforeTheGraceAfterARestartAndAReplayedEventReArms() {
        var t = SilenceTable(after: 60, slack: 6)
        t.restore([(key: "hp-1", stored: 0, variables: "{}", exact: false),
                   (key: "hp-2", stored: 0, variables: "{}", exact: false)], now: 1000)
        t.notBefore = 1010
        #expect(t.nextDue == 1010)
        let r17 = t.due(at: 1009)
        #expect(r17.isEmpty, "overdue during the downtime, but the intake may still replay")
        let r18 = t.touch("hp-2", at: 1005, variables: #"{"back":true}"#)
        #expect(r18, "a replayed event rewrites the row")
        let r19 = t.due(at: 1010)
        #expect(r19.map(\.key) == ["hp-1"])
        #expect(t.lastSeen("hp-2") == 1005)
    }

    @Test func aCommitOfAnOlderRowDoesNotMoveTheStoredTimeBack() {
        var t = SilenceTable(after: 100, slack: 10)
        _ = t.touch("k", at: 0, variables: "{}")
        t.committed("k", at: 20)
        t.committed("k", at: 0)
        let r20 = t.touch("k", at: 29, variables: "{}")
        #expect(!r20)
        let r21 = t.touch("k", at: 30, variables: "{}")
        #expect(r21)
        t.committed("gone", at: 5)
        #expect(t.count == 1)
    }

    @Test func slotsAreReusedAfterKeysFire() {
        var t = SilenceTable(after: 1, slack: 0.1)
        for round in 0..<3 {
            for i in 0..<100 { _ = t.touch("k\(i)", at: Double(round * 10), variables: "{}") }
            let r22 = t.due(at: Double(round * 10 + 1))
            #expect(r22.count == 100)
        }
        #expect(t.count == 0)
        t.forget("k1")
        #expect(t.nextDue == nil)
    }

    @Test func anExactRowFromACleanStopKeepsItsTimeAndIsRewrittenByTheNextEvent() {
        var t = SilenceTable(after: 60, slack: 6)
        _ = t.touch("k", at: 0, variables: "{}")
        t.committed("k", at: 0)
        _ = t.touch("k", at: 5, variables: #"{"v":5}"#)
        #expect(t.unsaved() == [.init(key: "k", variables: #"{"v":5}"#, lastSeen: 5)], "its row says 0")
        var after = SilenceTable(after: 60, slack: 6)
        after.restore([(key: "k", stored: 5, variables: #"{"v":5}"#, exact: true)], now: 30)
        let early = after.due(at: 64.9)
        #expect(early.isEmpty)
        let w = after.touch("k", at: 31, variables: "{}")
        #expect(w, "the next event writes the row again: the exact one no longer holds")
        let due = after.due(at: 91)
        #expect(due.map(\.key) == ["k"])
    }
}
