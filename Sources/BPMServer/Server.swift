import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

/// The HTTP API of `bpm serve`: the plan's process API plus events, tasks, incidents and
/// definitions, JSON throughout, RFC 9457 problem details for errors. The API's routes come from
/// its OpenAPI document (Sources/BPMAPI/openapi.yaml, see `OwnAPIHandler`); the web UI's are here.
public enum BPMServer {
    /// Builds the router over a runtime.
    /// A definition's diagram as SVG (what the web UI draws).
    public static func diagramSVG(_ def: ProcessDefinition) -> String { DiagramSVG.svg(def) }
    /// A BPMN file's diagram from its diagram interchange alone (for models the engine refuses).
    public static func diagramSVG(bpmn source: String) -> String? { DiagramSVG.svg(diagramOf: source) }

    /// Where the engine's metrics collect; `/metrics` emits it in the Prometheus text format.
    public static let metrics = PrometheusCollectorRegistry()

    /// Sends swift-metrics to the Prometheus registry (once per process; `bpm serve` calls it).
    public static func bootstrapMetrics() {
        var factory = PrometheusMetricsFactory(registry: metrics)
        // engine steps, commits and connector calls take milliseconds; instances, minutes to days
        factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                                   .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30)]
        factory.durationHistogramBuckets["bpm_instance_duration_seconds"] = [.seconds(1), .seconds(10), .seconds(60), .seconds(300), .seconds(1800),
                                                                             .seconds(3600), .seconds(6 * 3600), .seconds(86400), .seconds(7 * 86400)]
        factory.durationHistogramBuckets["bpm_timer_lag_seconds"] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                                                     .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(300)]
        MetricsSystem.bootstrap(factory)
        EngineMetrics.registerFamilies()
    }

    /// Settings of the server beyond the runtime.
    public struct Options: Sendable {
        /// The URL users and Backstage reach the server at; nil: from each request's Host header.
        public var publicURL: String?
        /// The Backstage owner of published process entities.
        public var catalogOwner: String

        /// Who may do what (off when it configures nothing).
        public var auth: AuthSettings
        /// What `/health/ready` checks besides the store: name → nil when fine, else why not.
        public var readiness: [String: @Sendable () async -> String?] = [:]
        /// Request, variable and long-poll bounds.
        public var limits = Limits.active
        /// The engine's clock when tests may pin it (`PUT /clock`); nil: the wall clock, fixed.
        public var clock: ControlledClock?
        /// Seconds between the live pages' looks at the store when this runtime committed nothing
        /// they show (changes of other replicas sharing the store appear within this).
        public var livePoll = 5.0
        /// Routes other modules add (Camunda's REST API v2), behind the same problem and auth middleware.
        public var extraRoutes: [@Sendable (Router<BasicRequestContext>) -> Void] = []

        public init(publicURL: String? = nil, catalogOwner: String = "bpm", auth: AuthSettings = AuthSettings()) {
            self.publicURL = publicURL
            self.catalogOwner = catalogOwner
            self.auth = auth
        }
    }

    public static func router(runtime: Runtime, options: Options = Options()) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        if options.auth.enabled { router.add(middleware: AuthMiddleware(settings: options.auth, runtime: runtime)) }
        let api = API(runtime: runtime, limits: options.limits)
        UI.loginRoutes(router, auth: options.auth)

        router.get("/openapi.json") { _, _ in
            Reply(contentType: "application/json", OpenAPI.served).response
        }
        router.get("/ui/api") { _, _ in UI.page("API reference", APIReference.html) }
        let ui = UI(runtime: runtime, livePoll: options.livePoll)
        router.get("/") { _, _ in await api.handle { try await ui.definitions() } }
        router.get("/ui/definitions/:id") { _, ctx in await api.handle { try await ui.definition(try ctx.parameters.require("id")) } }
        router.get("/ui/editor") { req, _ in await api.handle { try ui.newEditor(req) } }
        router.get("/ui/definitions/:id/edit") { _, ctx in await api.handle { try await ui.edit(try ctx.parameters.require("id")) } }
        router.get("/ui/definitions/:id/model") { _, ctx in await api.handle { try await ui.model(try ctx.parameters.require("id")) } }
        UIAssets.routes(router)
        router.get("/ui/instances") { req, _ in await api.handle { try await ui.instances(req) } }
        router.get("/ui/instances/:id") { _, ctx in await api.handle { try await ui.instance(try ctx.parameters.require("id")) } }
        router.get("/ui/instances/:id/events") { _, ctx in await api.handle { try await ui.events(try ctx.parameters.require("id")) } }
        router.get("/ui/tasks") { req, _ in await api.handle { try await ui.tasks(req) } }
        router.post("/ui/tasks/:id/form-state") { req, ctx in
            let body = String(buffer: try await req.body.collect(upTo: 1 << 20))
            return await api.handle { try await ui.formState(try ctx.parameters.require("id"), body) }
        }
        router.get("/ui/incidents") { req, _ in await api.handle { try await ui.incidents(req) } }
        router.get("/ui/schedules") { _, _ in await api.handle { try await ui.schedules() } }
        router.get("/ui/events/:list") { req, ctx in
            await api.handle { try await ui.listEvents(try ctx.parameters.require("list"), req) }
        }

        // every operation of the document (Sources/BPMAPI/openapi.yaml) comes from its generated code
        OwnAPIHandler.register(on: router, api: api, options: options,
                               clock: ClockRoutes(clock: options.clock, runtime: runtime))
        for add in options.extraRoutes { add(router) }
        return router
    }

    /// Builds the application listening on `host:port`.
    public static func application(runtime: Runtime, host: String, port: Int, logger: Logger, options: Options = Options(),
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
    {
        Application(router: router(runtime: runtime, options: options),
                    configuration: .init(address: .hostname(host, port: port), serverName: "swift-bpm"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }
}
