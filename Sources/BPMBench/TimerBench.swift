import ArgumentParser
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import Foundation
import Logging

/// `bpm bench --timers N`: N instances each waiting on a one-hour timer (their state in the
/// store), the engine's resident memory with all of them waiting, then the engine's clock
/// moved past the due time and the rate at which the timers fire and their instances finish.
struct TimerBench {
    let instances: Int
    let stores: [String]
    let sqliteSync: String
    let concurrency: Int
    let json: Bool
    /// Leave the instances waiting (no firing) in the store, for `--waiting`'s restart.
    var keep = false

    static let source = """
    id: bench-timer
    activities:
      - {id: wait, type: timer, duration: 1h}
      - {id: after, type: script, set: {fired: true}}
    """

    struct Row {
        var store: String
        var instances: Int
        var createdPerSecond: Double
        var rssMiB: Double
        var firedPerSecond: Double
    }

    func run() async throws {
        var rows: [Row] = []
        for spec in BenchSupport.withSQLite(stores) { rows.append(try await measure(spec)) }
        if json {
            print(JSON.encode(.list(rows.map { r in
                .context(["name": "timers", "store": .string(r.store), "instances": .number(Double(r.instances)),
                          "created_per_second": .number(r.createdPerSecond.rounded()), "rss_mib_waiting": .number(r.rssMiB.rounded()),
                          "timers_fired_per_second": .number(r.firedPerSecond.rounded())])
            })))
        } else {
            print("waiting instances and timers: each instance waits on a 1-hour timer; then the clock moves past it")
            print("store".padding(toLength: 10, withPad: " ", startingAt: 0) + "instances".leftPad(11) + "created/s".leftPad(11) + "RSS MiB waiting".leftPad(17) + "fired/s".leftPad(10))
            for r in rows {
                print(r.store.padding(toLength: 10, withPad: " ", startingAt: 0) + "\(r.instances)".leftPad(11) + String(format: "%.0f", r.createdPerSecond).leftPad(11)
                    + String(format: "%.0f", r.rssMiB).leftPad(17) + String(format: "%.0f", r.firedPerSecond).leftPad(10))
            }
        }
    }

    func measure(_ spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in try await measure(store: store, label: label) }
    }

    func measure(store: any ProcessStore, label: String) async throws -> Row {
        let clock = ManualClock(Date())
        let runtime = Runtime(store: store, clock: clock, connectors: ConnectorRegistry(), logger: IntakeBench.logger)
        try await runtime.start(timerLoop: false)
        let (def, _) = try await runtime.deploy(source: Self.source, file: "bench-timer.yaml")[0]
        let total = instances
        let clients = max(1, min(concurrency, total))
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try await BenchSupport.timedCalls(total: total, clients: clients) { _ in
            guard try await runtime.startInstance(def.id).status == .running else { throw ValidationError("a timer instance did not wait") }
        }
        let created = Double(total) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        let rss = BenchSupport.residentMiB()

        if keep {
            await runtime.shutdown()
            return Row(store: label, instances: total, createdPerSecond: created, rssMiB: rss, firedPerSecond: 0)
        }
        clock.advance(by: 3601)
        let t1 = DispatchTime.now().uptimeNanoseconds
        while try await runtime.fireDueTimers(limit: 10_000) > 0 { await runtime.waitIdle() }
        await runtime.waitIdle()
        let fired = Double(total) / (Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9)
        let completed = try await store.countInstances(status: .completed)
        await runtime.shutdown()
        guard completed == total else { throw ValidationError("timer benchmark: \(completed) of \(total) instances completed") }
        return Row(store: label, instances: total, createdPerSecond: created, rssMiB: rss, firedPerSecond: fired)
    }
}
