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
/// definitions, JSON throughout, RFC 9457 problem details for errors.
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

        router.get("/health/live") { _, _ in Response.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            var h = HTTPFields()
            h[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: EngineMetrics.withHelp(BPMServer.metrics.emitToString()))))
        }
        router.get("/health/ready") { _, _ in await api.handle { try await api.ready(options.readiness) } }
        router.get("/openapi.json") { _, _ in
            var h = HTTPFields()
            h[.contentType] = "application/json"
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: OpenAPI.served)))
        }
        router.get("/ui/api") { _, _ in UI.page("API reference", APIReference.html) }
        let ui = UI(runtime: runtime)
        router.get("/") { _, _ in await api.handle { try await ui.definitions() } }
        router.get("/ui/definitions/:id") { _, ctx in await api.handle { try await ui.definition(try ctx.parameters.require("id")) } }
        router.get("/ui/instances") { req, _ in await api.handle { try await ui.instances(req) } }
        router.get("/ui/instances/:id") { _, ctx in await api.handle { try await ui.instance(try ctx.parameters.require("id")) } }
        router.get("/ui/instances/:id/events") { _, ctx in await api.handle { try await ui.events(try ctx.parameters.require("id")) } }
        router.get("/ui/tasks") { req, _ in await api.handle { try await ui.tasks(req) } }
        router.get("/ui/incidents") { req, _ in await api.handle { try await ui.incidents(req) } }

        router.get("/definitions") { _, _ in await api.handle { await api.definitions() } }
        router.get("/definitions/:id") { _, ctx in await api.handle { try await api.definition(try ctx.parameters.require("id")) } }
        router.post("/definitions") { req, _ in await api.handle { try await api.deploy(try await api.body(req, definition: true), req) } }
        router.get("/definitions/:id/versions") { _, ctx in await api.handle { try await api.versions(try ctx.parameters.require("id")) } }
        router.get("/definitions/:id/versions/:version") { _, ctx in
            await api.handle { try await api.version(try ctx.parameters.require("id"), try ctx.parameters.require("version")) }
        }
        router.get("/definitions/:id/versions/:version/source") { _, ctx in
            await api.handle { try await api.source(try ctx.parameters.require("id"), try ctx.parameters.require("version")) }
        }
        router.get("/definitions/:id/diff") { req, ctx in await api.handle { try await api.diff(try ctx.parameters.require("id"), req) } }
        router.get("/deployments") { _, _ in await api.handle { await api.deployments() } }
        router.get("/backstage/catalog-info.yaml") { req, _ in
            await api.handle { await Backstage.catalog(runtime: runtime, baseURL: options.publicURL ?? Backstage.baseURL(req), owner: options.catalogOwner) }
        }

        // one parameter name per path position: here ":id" is the definition id
        router.post("/processes/:id/start") { req, ctx in
            await api.handle {
                let key = API.header(req, "Idempotency-Key")
                let body = try await api.body(req)
                return try await api.start(try ctx.parameters.require("id"), body, idempotencyKey: key)
            }
        }
        router.get("/processes") { req, _ in await api.handle { try await api.instances(req) } }
        router.get("/processes/:id") { _, ctx in await api.handle { try await api.instance(try ctx.parameters.require("id")) } }
        router.get("/processes/:id/history") { _, ctx in await api.handle { try await api.history(try ctx.parameters.require("id")) } }
        router.post("/processes/:id/cancel") { req, ctx in
            await api.handle { try await api.cancel(try ctx.parameters.require("id"), try await api.body(req)) }
        }
        router.post("/processes/:id/suspend") { _, ctx in await api.handle { try await api.command(try ctx.parameters.require("id"), .suspend) } }
        router.post("/processes/:id/resume") { _, ctx in await api.handle { try await api.command(try ctx.parameters.require("id"), .resume) } }
        router.post("/batch/:operation") { req, ctx in
            await api.handle { try await api.batch(try ctx.parameters.require("operation"), try await api.body(req)) }
        }
        router.post("/processes/:id/variables") { req, ctx in
            await api.handle { try await api.setVariables(try ctx.parameters.require("id"), try await api.body(req)) }
        }

        router.post("/events") { req, _ in await api.handle { try await api.event(try await api.body(req), req) } }
        router.post("/messages") { req, _ in await api.handle { try await api.message(try await api.body(req)) } }
        router.post("/signals") { req, _ in await api.handle { try await api.signal(try await api.body(req)) } }

        router.get("/decisions") { _, _ in await api.handle { api.decisions() } }
        router.post("/decisions/:id/evaluate") { req, ctx in
            await api.handle {
                let id = try ctx.parameters.require("id")
                return try await api.evaluateDecision(id.removingPercentEncoding ?? id, try await api.body(req))  // decision names may hold spaces
            }
        }
        router.get("/tasks") { req, _ in await api.handle { try await api.tasks(req) } }
        router.get("/tasks/:id") { _, ctx in await api.handle { try await api.task(try ctx.parameters.require("id")) } }
        router.post("/tasks/:id/complete") { req, ctx in
            await api.handle {
                try await api.authorizeTask(try ctx.parameters.require("id"))
                return try await api.completeTask(try ctx.parameters.require("id"), try await api.body(req))
            }
        }

        router.post("/tasks/:id/claim") { req, ctx in
            await api.handle { try await api.claimTask(try ctx.parameters.require("id"), try await api.body(req)) }
        }
        router.post("/tasks/:id/unclaim") { _, ctx in
            await api.handle {
                try await api.authorizeTask(try ctx.parameters.require("id"))
                return try await api.assignTask(try ctx.parameters.require("id"), nil)
            }
        }
        router.post("/tasks/:id/assign") { req, ctx in
            await api.handle {
                let o = try API.object(try await api.body(req))
                guard let user = o["assignee"]?.stringValue else {
                    throw Problem(.badRequest, "invalid-body", "Invalid body", "send {\"assignee\": \"user\"}")
                }
                return try await api.assignTask(try ctx.parameters.require("id"), user)
            }
        }
        router.post("/jobs/activate") { req, _ in await api.handle { try await api.activateJobs(try await api.body(req)) } }
        router.post("/jobs/:id/complete") { req, ctx in
            await api.handle {
                try await api.authorizeJob(try ctx.parameters.require("id"))
                return try await api.reportJob(try ctx.parameters.require("id"), "complete", try await api.body(req))
            }
        }
        router.post("/jobs/:id/fail") { req, ctx in
            await api.handle {
                try await api.authorizeJob(try ctx.parameters.require("id"))
                return try await api.reportJob(try ctx.parameters.require("id"), "fail", try await api.body(req))
            }
        }
        router.post("/jobs/:id/error") { req, ctx in
            await api.handle {
                try await api.authorizeJob(try ctx.parameters.require("id"))
                return try await api.reportJob(try ctx.parameters.require("id"), "error", try await api.body(req))
            }
        }
        router.get("/incidents") { req, _ in await api.handle { try await api.incidents(req) } }
        router.post("/incidents/:id/retry") { _, ctx in await api.handle { try await api.retry(try ctx.parameters.require("id")) } }
        router.post("/incidents/:id/resolve") { req, ctx in
            await api.handle { try await api.resolve(try ctx.parameters.require("id"), try await api.body(req)) }
        }
        router.post("/processes/:id/migrate") { req, ctx in
            await api.handle { try await api.migrate(try ctx.parameters.require("id"), try await api.body(req)) }
        }

        router.get("/logs") { req, _ in await api.handle { try await api.logs(req) } }
        let clock = ClockRoutes(clock: options.clock, runtime: runtime)
        router.get("/clock") { _, _ in await api.handle { clock.now() } }
        router.put("/clock") { req, _ in await api.handle { try clock.pin(try await api.body(req)) } }
        router.post("/clock/reset") { _, _ in await api.handle { try clock.reset() } }
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
