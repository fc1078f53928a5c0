import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import Benchmark
import Foundation

/// The hot paths `bpm bench` goes through, one operation each, with time and allocations.
/// Every benchmark checks its result once before it is measured, so a broken path fails
/// instead of measuring something else.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000_000)

    let condition = try! Expression("flow_temp_c > 30 and status = \"running\" and count(readings) >= 3")
    let vars: [String: Value] = [
        "flow_temp_c": .number(31.5), "status": .string("running"),
        "readings": .list([.number(1), .number(2), .number(3)]),
    ]
    precondition(condition.evaluate(vars) == .bool(true))
    Benchmark("FEEL: evaluate a condition") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(condition.evaluate(vars)) }
    }
    Benchmark("FEEL: parse a condition") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? Expression(condition.source)) }
    }

    let inputs = BenchShapes.routingInputs
    for policy in ["FIRST", "UNIQUE"] {
        let source = BenchShapes.routingTable(hitPolicy: policy)
        let table = DecisionEvaluator(model: try! DMNReader.read(source: source, file: "bench.dmn"))
        precondition((try? table.evaluate("route", inputs: inputs[7])) == .string("action1"))
        Benchmark("DMN: a 20-rule \(policy) table, 3 inputs") { benchmark in
            for k in benchmark.scaledIterations { blackHole(try? table.evaluate("route", inputs: inputs[k % 100])) }
        }
    }

    let definition = try! YAMLDefinitionReader.read(source: BenchShapes.straightThrough, file: "bench.yaml")
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let done = Engine.start(definition, instanceId: "i", version: 1, variables: [:], now: now)
    precondition(done.state.status == .completed && done.history.count > 4)
    Benchmark("Engine: a straight-through instance, start to end") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Engine.start(definition, instanceId: "i", version: 1, variables: [:], now: now))
        }
    }
    Benchmark("Encoding: history data and execution state as JSON") { benchmark in
        for _ in benchmark.scaledIterations {
            for h in done.history { blackHole(h.data.map(JSON.encode)) }
            blackHole(JSON.encode(done.state.executionValue))
            blackHole(JSON.encode(done.state.variables))
        }
    }
}
