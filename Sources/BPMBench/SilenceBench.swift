import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation

/// `bpm bench --silence N`: N keys of a silence trigger tracked at once (each with its last
/// event's variables, as the runtime keeps them): the process's resident memory with all of
/// them armed, the rate of touches (an event moving its key's deadline; how many of them must
/// write the key's row), and the rate at which they fire once the clock passes their deadlines.
struct SilenceBench {
    let keys: Int
    let json: Bool

    struct Figures {
        var keys: Int
        var rssBeforeMiB: Double
        var rssArmedMiB: Double
        var firstTouchesPerSecond: Double
        var touchesPerSecond: Double
        var rowWritesPerTouch: Double
        var firedPerSecond: Double
    }

    func run() throws {
        let f = measure()
        if json {
            print(JSON.encode(.list([.context([
                "name": "silence-keys", "keys": .number(Double(f.keys)),
                "rss_mib_before": .number(f.rssBeforeMiB.rounded()), "rss_mib_armed": .number(f.rssArmedMiB.rounded()),
                "bytes_per_key": .number(((f.rssArmedMiB - f.rssBeforeMiB) * 1_048_576 / Double(f.keys)).rounded()),
                "first_touches_per_second": .number(f.firstTouchesPerSecond.rounded()),
                "touches_per_second": .number(f.touchesPerSecond.rounded()),
                "row_writes_per_touch": .number(f.rowWritesPerTouch),
                "fired_per_second": .number(f.firedPerSecond.rounded()),
            ])])))
            return
        }
        let perKey = (f.rssArmedMiB - f.rssBeforeMiB) * 1_048_576 / Double(f.keys)
        print("silence keys: \(f.keys) keys armed (silence: {after: 5m}), each with its last event's variables")
        print(String(format: "  RSS before %.0f MiB, with every key armed %.0f MiB (%.0f bytes per key)",
                     f.rssBeforeMiB, f.rssArmedMiB, perKey))
        print(String(format: "  first events %.0f/s; further events %.0f/s, %.4f row writes per event; fired %.0f/s",
                     f.firstTouchesPerSecond, f.touchesPerSecond, f.rowWritesPerTouch, f.firedPerSecond))
    }

    func measure() -> Figures {
        let book = SilenceBook()
        let silence = Silence(after: 300)
        let rssBefore = BenchSupport.residentMiB()
        func variables(_ i: Int, _ battery: Int) -> String { #"{"battery":\#(battery),"device_id":"sensor-\#(i)"}"# }
        let names = (0..<keys).map { "sensor-\($0)" }
        let t0 = DispatchTime.now().uptimeNanoseconds
        // each first event writes its key's row; the commits are told back in batches, as the runtime does
        var rows: [WindowWrite] = []
        for (i, k) in names.enumerated() where book.touch("heartbeat", silence, key: k, at: 0,
                                                          variables: variables(i, 100)) {
            rows.append(WindowWrite(definitionId: SilenceBook.namespace + "heartbeat", key: k, state: ["seen": 0]))
            if rows.count == 2000 {
                book.committed(rows)
                rows.removeAll(keepingCapacity: true)
            }
        }
        book.committed(rows)
        let first = Double(keys) / Self.seconds(since: t0)
        let rss = BenchSupport.residentMiB()
        // every key beats again twice, 10 s apart: within the slack (30 s), no row write
        var writes = 0
        let t1 = DispatchTime.now().uptimeNanoseconds
        for round in 1...2 {
            for (i, k) in names.enumerated()
            where book.touch("heartbeat", silence, key: k, at: Double(round * 10),
                             variables: variables(i, 100 - round)) {
                writes += 1
            }
        }
        let touches = Double(2 * keys) / Self.seconds(since: t1)
        let t2 = DispatchTime.now().uptimeNanoseconds
        var fired = 0
        while true {
            let due = book.due(at: 400, limit: 5000)
            if due.isEmpty { break }
            fired += due.count
        }
        let firedRate = Double(fired) / Self.seconds(since: t2)
        return Figures(keys: keys, rssBeforeMiB: rssBefore, rssArmedMiB: rss, firstTouchesPerSecond: first,
                       touchesPerSecond: touches, rowWritesPerTouch: Double(writes) / Double(2 * keys),
                       firedPerSecond: firedRate)
    }

    static func seconds(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }
}
