import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Testing

/// Mutation fuzzing of everything that reads outside input: the YAML and BPMN readers, FEEL
/// parsing and evaluation, and event decoding. Seeds are the repository's own examples and
/// the conformance models; mutations flip, drop, repeat and splice bytes and insert tokens
/// that stress parsers. A deterministic generator (seeded, so a failure is reproducible with
/// BPM_FUZZ_SEED) runs for a bounded time per target (BPM_FUZZ_SECONDS, default 3). The
/// property: every input is either accepted or refused with a typed error — never a crash or
/// a hang. Inputs that once crashed are kept below as regression cases.
@Suite struct FuzzTests {
    static let seconds = Double(ProcessInfo.processInfo.environment["BPM_FUZZ_SECONDS"] ?? "") ?? 3
    static let seed = UInt64(ProcessInfo.processInfo.environment["BPM_FUZZ_SEED"] ?? "") ?? 0x5EED_B9A1

    /// Reproducible: a seed fixes the stream.
    typealias Generator = SplitMix64

    static let tokens: [String] = ["${", "}", "{", "[", "]", ":", "- ", "&a", "*a", "<<: *a", "!!binary", "\n  ", "\t", "\"", "'", "#", "|", ">", "%",
                                   "<", "</", "/>", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", "&e;", "<![CDATA[", "]]>",
                                   "(", ")", "..", "\u{0}", "\u{FFFF}", "é", "🔥", "-1e999", "1e400", "9999999999999999999999", "null", "true",
                                   "for x in", "some x in", "if", "then", "else", "function(", "instance of", "@\"", "date(\"", "duration(\"P"]

    static func mutate(_ input: [UInt8], _ g: inout Generator) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &g) {
            let pos = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &g)
            switch Int.random(in: 0..<6, using: &g) {
            case 0 where !b.isEmpty: b[pos] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
            case 1 where !b.isEmpty: b.removeSubrange(pos..<min(b.count, pos + Int.random(in: 1...16, using: &g)))
            case 2: b.insert(contentsOf: Array(tokens.randomElement(using: &g)!.utf8), at: pos)
            case 3 where !b.isEmpty:
                let end = min(b.count, pos + Int.random(in: 1...64, using: &g))
                b.insert(contentsOf: Array(b[pos..<end]), at: Int.random(in: 0...b.count, using: &g))
            case 4: b = Array(b.prefix(pos))
            default: b.insert(UInt8.random(in: 0...255, using: &g), at: pos)
            }
        }
        return b
    }

    /// Runs `body` on mutations of the seeds until the time is up; returns how many ran.
    static func fuzz(_ seeds: [String], salt: UInt64, _ body: (String) -> Void) -> Int {
        var g = Generator(seed: seed ^ salt)
        let corpus = seeds.map { Array($0.utf8) }
        let deadline = Date().addingTimeInterval(seconds)
        var n = 0
        while Date() < deadline {
            let input = mutate(corpus.randomElement(using: &g)!, &g)
            body(String(decoding: input, as: UTF8.self))
            n += 1
        }
        return n
    }

    static func files(_ dir: URL, _ ext: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(ext) }.sorted().compactMap { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }

    @Test func yamlDefinitionsAreReadOrRefusedWithLocations() {
        let seeds = Self.files(repoRoot.appendingPathComponent("examples"), ".yaml")
        #expect(seeds.count >= 7)
        var refused = 0
        let n = Self.fuzz(seeds, salt: 1) { text in
            do { _ = try YAMLDefinitionReader.read(source: text, file: "fuzz.yaml") } catch let error as DefinitionErrors {
                refused += 1
                #expect(!error.errors.isEmpty && error.errors.allSatisfy { $0.location.line >= 1 }, "a refusal names where")
            } catch {
                Issue.record("an untyped error: \(error)")
            }
        }
        print("fuzz yaml: \(n) inputs, \(refused) refused, no crash")
        #expect(n > 100)
    }

    @Test func bpmnModelsAreReadOrRefused() {
        let miwg = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/bpmn-miwg")
        var seeds = Self.files(miwg, ".bpmn")
        if seeds.isEmpty { seeds = Self.files(repoRoot.appendingPathComponent("examples"), ".bpmn") }
        seeds.append(#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" isExecutable="true"><startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process></definitions>"#)
        var refused = 0
        let n = Self.fuzz(seeds, salt: 2) { text in
            do { _ = try BPMNDefinitionReader.read(source: text, file: "fuzz.bpmn") } catch let error as DefinitionErrors {
                refused += 1
                #expect(!error.errors.isEmpty)
            } catch {
                Issue.record("an untyped error: \(error)")
            }
        }
        print("fuzz bpmn: \(n) inputs, \(refused) refused, no crash")
        #expect(n > 50)
    }

    @Test func feelIsParsedAndEvaluatedOrRefused() {
        let seeds = [
            "fields.flow_temp_c > 25.0 and tags.site = \"a\"", "if x > 1 then \"big\" else \"small\"", "for i in 1..3 return i * 2",
            "some x in [1, 2, 3] satisfies x > 2", "date(\"2026-11-26\") + duration(\"P1D\")", "{a: 1, b: [1, 2, {c: \"d\"}]}.b[3].c",
            "sum([1, 2, 3]) / count([1, 2])", "substring(\"hello\", 2, 3) = \"ell\"", "function(a, b) a + b", "x instance of number",
            "string length(s) > 3 and matches(s, \"^[a-z]+$\")", "-(1) ** 2 ** 3", "[1, 2, 3][item > 1]", "@\"2026-11-26T10:00:00Z\"",
        ]
        let vars: [String: Value] = ["x": 3, "s": "word", "fields": ["flow_temp_c": 27.5], "tags": ["site": "a"]]
        var parsed = 0
        let n = Self.fuzz(seeds, salt: 3) { text in
            guard let e = try? Expression(text, dynamicCalls: true) else { return }
            parsed += 1
            _ = e.evaluate(vars)
        }
        print("fuzz feel: \(n) inputs, \(parsed) parsed and evaluated, no crash")
        #expect(n > 100)
    }

    @Test func eventsAreDecodedOrSetAsideWithAReason() throws {
        var registry = DefinitionRegistry()
        let path = repoRoot.appendingPathComponent("examples/temperature-control.yaml").path
        registry.add(try DefinitionLoader.parse(source: try String(contentsOfFile: path, encoding: .utf8), file: path), version: 1)
        let seeds = [#"{"name": "heatpump", "tags": {"device_id": "hp1"}, "fields": {"flow_temp_c": 27.5}, "timestamp": 1790000000}"#,
                     #"{"tags": {"device_id": "hp2"}, "fields": {"flow_temp_c": "x"}}"#, #"[1, {"a": null}]"#]
        var bad = 0
        let reasons: Set<String> = ["not_json", "not_object", "missing_path", "wrong_type"]
        let n = Self.fuzz(seeds, salt: 4) { text in
            if case .failure(let p) = EventDecoder.decode(Array(text.utf8), topic: "heatpump-telemetry", registry: registry) {
                bad += 1
                #expect(reasons.contains(p.reason))
            }
        }
        print("fuzz events: \(n) inputs, \(bad) set aside, no crash")
        #expect(n > 100)
    }

    /// Inputs that once broke a reader, kept so they stay fixed.
    @Test func regressions() {
        for text in ["id: x\nactivities:\n  - &a {id: a, type: script, set: {a: *a}}\n", "a: &a [*a]\n"] {
            #expect(throws: DefinitionErrors.self) { try YAMLDefinitionReader.read(source: text, file: "r.yaml") }
        }
        // the FEEL fuzzer parses with every name known and calls allowed, as DMN does
        // found by this fuzzer: a for loop over huge ranges ran for minutes (quadratic `partial`
        // copies); it now gives null once the evaluation's step budget is spent. A function
        // calling itself gives null too (evaluation depth is bounded as well).
        let started = Date()
        #expect((try? Expression("for i in 1..1000000, j in 1..1000000 return i + j"))?.evaluate([:]) == .null)
        #expect((try? Expression("{f: function(n) f(n + 1), r: f(1)}.r", dynamicCalls: true))?.evaluate([:]) == .null)
        #expect(Date().timeIntervalSince(started) < 30)
        // found by this fuzzer in CI: builtins turned huge or infinite numbers into Int and
        // trapped (`substring("hello", 2, 1e400)`); numbers are now clamped
        for text in ["substring(\"hello\", 2, 1e400)", "substring(\"hello\", -1e400)", "odd(1e400)", "even(-1e400)", "round half up(1.5, 1e400)",
                     "duration(\"P99999999999999999999D\").days", "date(\"2026-11-26\") + duration(\"P99999999999999999999Y\")", "string(9e300 * 9e300)"] {
            _ = (try? Expression(text, dynamicCalls: true))?.evaluate([:])
        }
        // within the budget, loops still work
        #expect((try? Expression("count(for i in 1..10000 return i)"))?.evaluate([:]) == 10000)
    }
}
