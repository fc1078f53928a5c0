import BPMCamunda
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMTestSupport
import Foundation
import Testing

/// Zeebe's gRPC gateway with a real Camunda 8 client: pyzeebe 4.7.0 (installed into
/// .build/venv-zeebe by `scripts/install-deps.sh --test`) drives a live `bpm serve` through
/// camunda/zeebe_client_test.py, which checks every step against our own HTTP API. Between its
/// two phases this test looks up the incident's Zeebe key in the store (as an operator would in
/// Operate or REST v2), which the gRPC protocol has no call to list.
@Suite(.serialized) struct ZeebeClientTests {
    static let folder = repoRoot.appendingPathComponent("Tests/IntegrationTests/camunda")
    static let python = repoRoot.appendingPathComponent(".build/venv-zeebe/bin/python").path

    func script(_ args: [String], driver name: String = "zeebe_client_test.py") async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw TestFailure("pyzeebe's venv is missing at \(Self.python): run scripts/install-deps.sh --test")
        }
        let driver = Self.folder.appendingPathComponent(name).path
        let r = try await Spawned.completion(of: [Self.python, driver] + args)
        print(r.output)
        #expect(r.status == 0, "\(r.output)")
        return r.output
    }

    /// Deploy, start, work, message, signal, cancel, fail to an incident, resolve it: all through
    /// pyzeebe against a server on `storeURL`; `open` opens the same store for the key lookup.
    func walkThrough(storeURL: String, open: () throws -> any ProcessStore) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        let grpcPort = try TestPostgres.freePort()
        let server = try Server(store: dir.appendingPathComponent("unused"), definitions: defs,
                                extra: ["--grpc-port", "\(grpcPort)"], storeURL: storeURL)
        defer { server.kill(SIGTERM) }
        let address = "127.0.0.1:\(grpcPort)"
        let bpmn = Self.folder.appendingPathComponent("order-fulfilment.bpmn").path
        let first = try await script([address, server.base, "run", bpmn])
        #expect(first.contains("ok   ThrowError: the boundary caught OUT_OF_STOCK"))
        #expect(first.contains("ok   CancelProcessInstance"))
        let line = try #require(first.split(separator: "\n").first { $0.hasPrefix("state ") })
        let state = try JSON.parse(String(line.dropFirst(6)))
        let instance = try #require(state[member: "instance"].stringValue)
        let incident = try #require(state[member: "incident"].stringValue)
        let jobKey = try #require(state[member: "jobKey"].stringValue)
        let incidentKey = try await CamundaKeys(store: try open()).key(.incident, incident)
        let second = try await script([address, server.base, "resolve", instance, jobKey, "\(incidentKey)"])
        #expect(second.contains("ok   the job runs again and completes"))
    }

    /// Every RPC and field pyzeebe's generated code knows has the same name, number and type in
    /// our gateway.proto (compiled with protoc, compared descriptor to descriptor).
    @Test func ourProtoIsTheWireContractTheClientWasBuiltFrom() async throws {
        let proto = repoRoot.appendingPathComponent("Sources/BPMZeebe/Proto").path
        let out = try await script([proto], driver: "proto_contract_test.py")
        #expect(out.contains("fields match the client's contract"))
    }

    /// A pyzeebe worker completes an execution listener's job (after failing it once with a
    /// retry left), the service task's and the end listener's: the process goes on to its end.
    @Test(.timeLimit(.minutes(4))) func pyzeebeWorksExecutionListenerJobs() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let grpcPort = try TestPostgres.freePort()
        let defs = try subfolder("defs", of: dir)
        let server = try Server(store: dir.appendingPathComponent("l.sqlite"), definitions: defs,
                                extra: ["--grpc-port", "\(grpcPort)"])
        defer { server.kill(SIGTERM) }
        let bpmn = Self.folder.appendingPathComponent("listeners.bpmn").path
        let out = try await script(["127.0.0.1:\(grpcPort)", server.base, bpmn], driver: "zeebe_listener_test.py")
        #expect(out.contains("ok   pyzeebe completed the start listener, the service task and the end listener"))
    }

    /// ModifyProcessInstance and start instructions sent over pyzeebe's channel with its
    /// generated protocol code: a token moved from `fetch` to `store`, an instance started at
    /// `store`, both completed by a pyzeebe worker.
    @Test(.timeLimit(.minutes(4))) func pyzeebeModifiesAnInstanceAndStartsOneAtAnElement() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let grpcPort = try TestPostgres.freePort()
        let defs = try subfolder("defs", of: dir)
        let server = try Server(store: dir.appendingPathComponent("m.sqlite"), definitions: defs,
                                extra: ["--grpc-port", "\(grpcPort)"])
        defer { server.kill(SIGTERM) }
        let bpmn = Self.folder.appendingPathComponent("repair.bpmn").path
        let out = try await script(["127.0.0.1:\(grpcPort)", server.base, bpmn], driver: "zeebe_modify_test.py")
        #expect(out.contains("ok   ModifyProcessInstance: fetch terminated, store activated"))
        #expect(out.contains("ok   pyzeebe completed store in both instances"))
    }

    @Test(.timeLimit(.minutes(4))) func pyzeebeRunsTheOrderProcessOnSQLite() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("zeebe.sqlite").path
        try await walkThrough(storeURL: "sqlite:\(path)") { try SQLiteStore(path: path) }
    }

    @Test(.timeLimit(.minutes(4))) func pyzeebeRunsTheOrderProcessOnPostgreSQL() async throws {
        let pg = try TestPostgres.server()
        let url = try pg.createDatabase("zeebe")
        try await walkThrough(storeURL: url) { try PostgresStore(url: url) }
    }
}
