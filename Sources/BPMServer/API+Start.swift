import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import HTTPTypes
import Hummingbird

extension API {
    /// `POST /processes/{id}/start`: 201 with the new instance; with a definition that is
    /// unique per business key and `correlate`s, 200 with the running instance (one that
    /// `refuse`s: a 409 problem naming it). With an `Idempotency-Key` the same key answers
    /// the same status and body again, across restarts.
    func start(_ definitionId: String, _ body: String, idempotencyKey: String?) async throws -> Reply {
        let o = try Self.object(body)
        let bk = try Self.string(o, "businessKey")
        if let key = idempotencyKey, key.isEmpty || key.unicodeScalars.count > 255 {
            throw Problem(.badRequest, "invalid-idempotency-key", "Invalid idempotency key",
                          "the Idempotency-Key header must hold 1 to 255 characters")
        }
        let request = Runtime.StartRequest(definitionId: definitionId, variables: try variables(o), businessKey: bk,
                                           idempotencyKey: idempotencyKey) { JSON.encode(Views.instance($0)) }
        switch try await runtime.start(request) {
        case .started(let s):
            await Audit.record(runtime, instanceId: s.id, action: "POST /processes/\(definitionId)/start")
            return Reply.json(Views.instance(s), status: .created)
        case .correlated(let s):
            return Reply.json(Views.instance(s), status: .ok)
        case .replayed(let r):
            var reply = Reply(.init(code: r.status), contentType: "application/json", r.response)
            reply.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return reply
        }
    }
}
