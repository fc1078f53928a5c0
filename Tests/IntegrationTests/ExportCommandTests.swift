import BPMModel
import Foundation
import Testing

/// `bpm export --bpmn`: the XML on standard output or in `--output`, and exit 1 with
/// `file:line:col` errors for a YAML file that is invalid or has something BPMN cannot carry.
@Suite struct ExportCommandTests {
    @Test func writesTheBPMNToStandardOutputOrAFileThatBpmValidates() async throws {
        let r = try await bpm(["export", "--bpmn", "examples/approval.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions "))
        #expect(r.stdout.contains("<bpmn:process id=\"approval\" name=\"Approval Workflow\" isExecutable=\"true\">"))
        #expect(r.stderr.isEmpty)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("approval.bpmn").path
        let w = try await bpm(["export", "--bpmn", "examples/approval.yaml", "--output", out])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(w.stdout.isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == r.stdout)
        let v = try await bpm(["validate", out])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    }

    @Test func anInvalidYAMLFileExitsWithOneAndItsLocation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try "id: bad\nactivities:\n  - id: a\n    type: servce\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try await bpm(["export", "--bpmn", file.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty, "no partial XML")
        #expect(r.stderr.hasPrefix("\(file.path):4:11: error: unknown activity type 'servce'"), "\(r.stderr)")
    }

    @Test func whatBPMNCannotCarryIsRefusedWithTheElement() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mi.yaml")
        try "id: mi\nactivities:\n  - id: wait\n    type: timer\n    duration: 5m\n    multi_instance: {count: 2}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("mi.bpmn").path
        let r = try await bpm(["export", "--bpmn", file.path, "--output", out])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("\(file.path):3:5: error: cannot export 'wait' to BPMN:"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
    }

    @Test func theFormatMustBeNamedAndTheFileMustExist() async throws {
        let r = try await bpm(["export", "examples/approval.yaml"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--bpmn"), "\(r.stderr)")
        let missing = try await bpm(["export", "--bpmn", "examples/nope.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("examples/nope.yaml:1:1: error: cannot read file"), "\(missing.stderr)")
    }
}
