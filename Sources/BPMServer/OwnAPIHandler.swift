import BPMAPI
import BPMEngine
import BPMExpressions
import BPMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Our own HTTP API: the generated `APIProtocol` of Sources/BPMAPI/openapi.yaml, implemented over `API` (the
/// runtime, the queries, the per-task and per-job auth checks). The generated code routes every documented path
/// and method, and decodes and checks the parameters and bodies against the document; each handler then answers
/// with the `Reply` the view functions build, so statuses, headers and JSON stay byte for byte what they were.
struct OwnAPIHandler: APIProtocol {
    let api: API
    let options: BPMServer.Options
    let clock: ClockRoutes

    /// Adds every operation of the document to the router, behind `OwnAPIMiddleware`.
    static func register(on router: Router<BasicRequestContext>, api: API, options: BPMServer.Options,
                         clock: ClockRoutes)
    {
        let handler = OwnAPIHandler(api: api, options: options, clock: clock)
        do {
            try handler.registerHandlers(on: SharedCaptures(router: router), serverURL: URL(string: "/")!,
                                         configuration: Configuration(dateTranscoder: ISODateTranscoder()),
                                         middlewares: [OwnAPIMiddleware(api: api)])
        } catch {
            // registration fails only for a malformed server URL, which is the constant above
            preconditionFailure("the API's routes do not register: \(error)")
        }
    }

    /// Runs a handler over the request and hands its reply to `OwnAPIMiddleware`, which sends it.
    func reply<Output: RepliedOutput>(_ body: (OwnAPIExchange) async throws -> Reply) async throws -> Output {
        guard let exchange = OwnAPIExchange.current else {
            throw Problem(.internalServerError, "internal", "Request could not be completed",
                          "the operation ran outside OwnAPIMiddleware")
        }
        let r = try await body(exchange)
        exchange.reply = r
        return .undocumented(statusCode: Int(r.status.code), UndocumentedPayload())
    }

    /// A handler whose answer is a JSON value with 200.
    func json<Output: RepliedOutput>(_ body: (OwnAPIExchange) async throws -> Value) async throws -> Output {
        try await reply { .json(try await body($0)) }
    }

    // MARK: operations

    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        try await json { _ in ["status": "ok"] }
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        try await reply { _ in
            Reply(contentType: "text/plain; version=0.0.4; charset=utf-8",
                  EngineMetrics.withHelp(BPMServer.metrics.emitToString()))
        }
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        try await reply { _ in try await api.ready(options.readiness) }
    }

    func getBackstageCatalog(_ input: Operations.GetBackstageCatalog.Input) async throws
        -> Operations.GetBackstageCatalog.Output
    {
        try await reply { x in
            await Backstage.catalog(runtime: api.runtime, baseURL: options.publicURL ?? Backstage.baseURL(x.request),
                                    owner: options.catalogOwner)
        }
    }

    func listLogs(_ input: Operations.ListLogs.Input) async throws -> Operations.ListLogs.Output {
        try await json { try await api.logs($0.request) }
    }

    func getClock(_ input: Operations.GetClock.Input) async throws -> Operations.GetClock.Output {
        try await json { _ in clock.now() }
    }

    func pinClock(_ input: Operations.PinClock.Input) async throws -> Operations.PinClock.Output {
        try await json { try clock.pin($0.body) }
    }

    func resetClock(_ input: Operations.ResetClock.Input) async throws -> Operations.ResetClock.Output {
        try await json { _ in try clock.reset() }
    }

    // MARK: definitions

    func listDefinitions(_ input: Operations.ListDefinitions.Input) async throws
        -> Operations.ListDefinitions.Output
    {
        try await json { _ in await api.definitions() }
    }

    func deployDefinition(_ input: Operations.DeployDefinition.Input) async throws
        -> Operations.DeployDefinition.Output
    {
        try await reply { try await api.deploy($0.body, $0.request) }
    }

    func getDefinition(_ input: Operations.GetDefinition.Input) async throws -> Operations.GetDefinition.Output {
        try await json { _ in try await api.definition(input.path.id) }
    }

    func listDefinitionVersions(_ input: Operations.ListDefinitionVersions.Input) async throws
        -> Operations.ListDefinitionVersions.Output
    {
        try await json { _ in try await api.versions(input.path.id) }
    }

    func getDefinitionVersion(_ input: Operations.GetDefinitionVersion.Input) async throws
        -> Operations.GetDefinitionVersion.Output
    {
        try await json { _ in try await api.version(input.path.id, String(input.path.version)) }
    }

    func getDefinitionSource(_ input: Operations.GetDefinitionSource.Input) async throws
        -> Operations.GetDefinitionSource.Output
    {
        try await reply { _ in try await api.source(input.path.id, String(input.path.version)) }
    }

    func diffDefinitionVersions(_ input: Operations.DiffDefinitionVersions.Input) async throws
        -> Operations.DiffDefinitionVersions.Output
    {
        try await json { try await api.diff(input.path.id, $0.request) }
    }

    func listDeployments(_ input: Operations.ListDeployments.Input) async throws
        -> Operations.ListDeployments.Output
    {
        try await json { _ in await api.deployments() }
    }

    // MARK: decisions

    func listDecisions(_ input: Operations.ListDecisions.Input) async throws -> Operations.ListDecisions.Output {
        try await json { _ in api.decisions() }
    }

    func evaluateDecision(_ input: Operations.EvaluateDecision.Input) async throws
        -> Operations.EvaluateDecision.Output
    {
        // the generated code decodes the path (decision names may hold spaces)
        try await json { try await api.evaluateDecision(input.path.id, $0.body) }
    }
}

/// Registers the generated routes on the router with one capture name per path position: the router's trie
/// takes a single name where paths share a prefix (`/processes/{definitionId}/start` beside `/processes/{id}`),
/// so a later path's capture is routed under the first name and handed to the generated code under its own.
final class SharedCaptures: ServerTransport, @unchecked Sendable {
    let router: Router<BasicRequestContext>
    /// The capture name first registered after each path prefix.
    private var names: [String: String] = [:]

    init(router: Router<BasicRequestContext>) { self.router = router }

    func register(_ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws
                      -> (HTTPResponse, HTTPBody?), method: HTTPRequest.Method, path: String) throws
    {
        var segments: [String] = []
        var renamed: [(routed: String, documented: String)] = []
        for part in path.split(separator: "/").map(String.init) {
            guard part.hasPrefix("{"), part.hasSuffix("}") else { segments.append(part); continue }
            let prefix = segments.joined(separator: "/")
            let name = String(part.dropFirst().dropLast()), routed = names[prefix] ?? name
            names[prefix] = routed
            if routed != name { renamed.append((routed, name)) }
            segments.append("{\(routed)}")
        }
        let aliases = renamed
        router.register({ request, body, metadata in
            var metadata = metadata
            for r in aliases { metadata.pathParameters[r.documented] = metadata.pathParameters[r.routed] }
            return try await handler(request, body, metadata)
        }, method: method, path: "/" + segments.joined(separator: "/"))
    }
}
