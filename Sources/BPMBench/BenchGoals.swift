import BPMExpressions
import Foundation

/// The performance goals (docs/scaling.md) as one table, each row beside its baseline or peer
/// from the same run: printed after the figures when the run has `--peer` or `--waiting`.
extension Bench {
    struct Goal {
        var row: String
        var measured: String
        var goal: String
        /// nil: not measured in this run, or no goal for the row.
        var met: Bool?
        var beside: String
    }

    func goals(_ r: Results) -> [Goal] {
        throughputGoals(r) + dbosGoals(r) + waitingGoals(r) + decisionGoals(r)
    }

    func throughputGoals(_ r: Results) -> [Goal] {
        let lite = r.rows.first { $0.name == "straight-through" && $0.store == "sqlite" }
        let pg = r.rows.first { $0.name == "straight-through" && $0.store == "postgres" }
        let pgFew = r.dbosRows.first { $0.ours.store == "postgres" }?.ours
        let spiff = r.peerRows.first { $0.variant == "xor" }
        var out = [
            rate("straight-through, SQLite, \(concurrency) clients", lite, atLeast: 40_000,
                 beside: spiff.map { s in lite.map { versus("SpiffWorkflow in memory", s.perSecond, $0.perSecond) } ?? "" }),
            rate("straight-through, PostgreSQL, \(concurrency) clients", pg, atLeast: 20_000,
                 beside: lite.map { l in pg.map { versus("SQLite", l.perSecond, $0.perSecond) } ?? "" },
                 missing: "needs --store postgres://…"),
            rate("straight-through, PostgreSQL, \(peerClients) clients", pgFew, atLeast: 5_000,
                 beside: pgFew.map { _ in "\(dbosInstances) instances" }, missing: "needs --peer and --store postgres://…"),
        ]
        for (name, kind, goal) in [("http-worker", "8 HTTP workers", 8_000.0), ("grpc-worker", "gRPC job streaming", 10_000)] {
            let w = r.rows.first { $0.name == name && $0.store == "sqlite" }
            var g = rate("one service task, \(kind), SQLite", w, atLeast: goal,
                         beside: lite.map { l in w.map { versus("straight-through", l.perSecond, $0.perSecond) } ?? "" })
            if let w {
                g.measured += String(format: ", p99 %.1f ms", w.p99)
                if name == "http-worker" {
                    g.goal += ", p99 < 25 ms"
                    g.met = g.met == true && w.p99 < 25
                }
            }
            out.append(g)
        }
        return out
    }

    func dbosGoals(_ r: Results) -> [Goal] {
        ["postgres", "sqlite"].map { backend in
            let name = "vs DBOS, \(backend == "postgres" ? "PostgreSQL" : "SQLite"), \(peerClients) clients"
            guard let d = r.dbosRows.first(where: { $0.peer.backend == backend }) else {
                return Goal(row: name, measured: "not measured", goal: backend == "postgres" ? "≥ ×50" : "—", met: nil,
                            beside: peer == nil ? "needs --peer" : "needs dbos and --store postgres://…")
            }
            let ratio = d.ours.perSecond / max(d.peer.perSecond, 0.001)
            return Goal(row: name, measured: String(format: "×%.1f", ratio), goal: backend == "postgres" ? "≥ ×50" : "—",
                        met: backend == "postgres" ? ratio >= 50 : nil,
                        beside: String(format: "DBOS %.1f wf/s, ours %.0f inst/s", d.peer.perSecond, d.ours.perSecond))
        }
    }

    func waitingGoals(_ r: Results) -> [Goal] {
        guard let w = r.waiting else {
            return [Goal(row: "1,000,000 waiting instances", measured: "not measured", goal: "RSS < 256 MiB; ready < 5 s",
                         met: nil, beside: "needs --waiting 1000000")]
        }
        let full = w.instances >= 1_000_000
        let n = thousands(w.instances)
        return [
            Goal(row: "\(n) waiting instances, bpm serve RSS", measured: String(format: "%.0f MiB", w.serveRSSMiB),
                 goal: "< 256 MiB", met: full ? w.serveRSSMiB < 256 : nil,
                 beside: String(format: "creating engine %.0f MiB", w.engineRSSMiB)),
            Goal(row: "\(n) waiting instances, restart to ready", measured: String(format: "%.2f s", w.readySeconds),
                 goal: "< 5 s", met: full ? w.readySeconds < 5 : nil,
                 beside: String(format: "created at %.0f/s", w.createdPerSecond)),
        ]
    }

    func decisionGoals(_ r: Results) -> [Goal] {
        guard let d = r.dmn else {
            return [Goal(row: "decision table evaluations", measured: "not measured", goal: "≥ 200,000/s", met: nil,
                         beside: "")]
        }
        return [Goal(row: "decision table evaluations (20×3, FIRST)", measured: String(format: "%.0f/s", d.perSecond),
                     goal: "≥ 200,000/s", met: d.perSecond >= 200_000,
                     beside: r.unique.map { String(format: "UNIQUE %.0f/s", $0.perSecond) } ?? "")]
    }

    func rate(_ row: String, _ measured: Row?, atLeast goal: Double, beside: String?, missing: String = "")
        -> Goal
    {
        let g = "≥ " + thousands(Int(goal)) + " PI/s"
        guard let m = measured else { return Goal(row: row, measured: "not measured", goal: g, met: nil, beside: missing) }
        return Goal(row: row, measured: String(format: "%.0f PI/s", m.perSecond), goal: g, met: m.perSecond >= goal,
                    beside: beside ?? "")
    }

    /// 1000000 as "1,000,000".
    func thousands(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { i, d in (i > 0 && (digits.count - i) % 3 == 0) ? [",", d] : [d] })
    }

    /// "NAME x/s, ×ratio": ours as a multiple of the baseline's figure.
    func versus(_ name: String, _ baseline: Double, _ ours: Double) -> String {
        String(format: "%@ %.0f/s, ×%.2f", name, baseline, ours / max(baseline, 0.001))
    }

    func printGoals(_ r: Results) {
        let runsNote = runs > 1 ? "median of \(runs) runs" : "one run"
        print("\ngoals (docs/scaling.md), this run (\(runsNote)):")
        print(pad("  row", 50) + pad("this run", 26) + pad("goal", 28) + pad("met", 5) + "beside it, same run")
        for g in goals(r) {
            let met = g.met.map { $0 ? "yes" : "no" } ?? "—"
            print(pad("  " + g.row, 50) + pad(g.measured, 26) + pad(g.goal, 28) + pad(met, 5) + g.beside)
        }
    }

    func goalJSON(_ g: Goal) -> Value {
        .context(["name": "goal", "row": .string(g.row), "measured": .string(g.measured), "goal": .string(g.goal),
                  "met": g.met.map(Value.bool) ?? .null, "beside": .string(g.beside), "runs": .number(Double(runs))])
    }

    func printWaiting(_ w: WaitingBench.Figures) {
        print("\nwaiting instances (each on a 1-hour timer), in processes of their own:")
        print(String(format: "  %d created at %.0f/s, the creating engine's RSS %.0f MiB; bpm serve restarted on them: "
            + "ready after %.2f s, RSS %.0f MiB", w.instances, w.createdPerSecond, w.engineRSSMiB, w.readySeconds,
            w.serveRSSMiB))
    }

    func waitingJSON(_ w: WaitingBench.Figures) -> Value {
        .context(["name": "waiting", "store": "sqlite", "instances": .number(Double(w.instances)),
                  "created_per_second": .number(w.createdPerSecond.rounded()),
                  "engine_rss_mib": .number(w.engineRSSMiB.rounded()),
                  "ready_seconds": .number((w.readySeconds * 100).rounded() / 100),
                  "serve_rss_mib": .number(w.serveRSSMiB.rounded())])
    }
}
