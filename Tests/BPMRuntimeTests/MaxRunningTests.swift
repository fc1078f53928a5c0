import BPMEngine
import BPMExpressions
import BPMModel
@testable import BPMRuntime
import BPMStore
import Foundation
import Testing

/// `max_running: N`: at most N running instances of a definition per business key; a start past
/// it is refused with the running instances' ids, until one of them ends.
@Suite struct MaxRunningTests {
    @Test func startsPastTheLimitAreRefusedWithTheRunningIdsUntilOneEnds() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: """
        id: pump-service
        trigger: {type: manual, max_running: 2}
        activities:
          - {id: visit, type: user, name: Visit the heat pump}
        """, file: "pump-service.yaml")
        func start(_ bk: String?) async throws -> String {
            let o = try await h.runtime.start(.init(definitionId: "pump-service", businessKey: bk))
            guard case .started(let s) = o else {
                throw TestError("not started")
            }
            return s.id
        }
        let a = try await start("hp-7")
        let b = try await start("hp-7")
        let refused = Runtime.RuntimeError.tooManyRunning(definitionId: "pump-service", businessKey: "hp-7",
                                                           instanceIds: [a, b])
        await #expect(throws: refused) {
            _ = try await start("hp-7")
        }
        _ = try await start("hp-8")
        _ = try await start(nil)
        _ = try await start(nil)
        _ = try await start(nil)  // starts without a business key are not limited
        _ = try await h.runtime.send(.cancel(reason: nil), to: a)
        let c = try await start("hp-7")
        let refusedAgain = Runtime.RuntimeError.tooManyRunning(definitionId: "pump-service", businessKey: "hp-7",
                                                           instanceIds: [b, c])
        await #expect(throws: refusedAgain) {
            _ = try await start("hp-7")
        }
    }

    @Test func maxRunningIsReadAndCheckedWhereItIs() throws {
        let d = try YAMLDefinitionReader.read(source: """
        id: p
        trigger: {type: manual, max_running: 3}
        activities: [{id: a, type: user}]
        """, file: "p.yaml")
        #expect(d.trigger?.flow.maxRunning == 3)
        func errors(_ trigger: String) -> [String] {
            do {
                let source = "id: p\ntrigger: \(trigger)\nactivities: [{id: a, type: user}]"
                _ = try YAMLDefinitionReader.read(source: source, file: "p.yaml")
                return []
            } catch { return error.errors.map(\.description) }
        }
        #expect(errors("{type: manual, max_running: 0}") == ["p.yaml:2:38: error: 'max_running' must be 1 or more"])
        #expect(errors("{type: manual, unique: refuse, max_running: 2}")
            == ["p.yaml:2:54: error: 'max_running' and 'unique' exclude each other "
                + "('unique: refuse' is 'max_running: 1')"])
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
