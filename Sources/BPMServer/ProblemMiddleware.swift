import Hummingbird

/// Turns the framework's own errors (no such route, wrong method) into problem details, so
/// every error the API returns has the same shape.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            if response.status.code >= 500 {
                // the request's logger carries its id (hb.request.id)
                context.logger.error("\(request.method.rawValue) \(request.uri.path) answered \(response.status.code)")
            }
            return response
        } catch var p as Problem {
            // Camunda's REST v2 clients read `instance` (the request path) from every problem
            if request.uri.path.hasPrefix("/v2/") { p.extra["instance"] = .string(request.uri.path) }
            var r = p.response
            if p.status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer" }
            return r
        } catch let e as HTTPError {
            if e.status == .notFound, let allowed = OpenAPI.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                var r = Problem(.methodNotAllowed, "method-not-allowed", "Method not allowed", "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method.rawValue)").response
                r.headers[.allow] = allowed.joined(separator: ", ")
                return r
            }
            let kind = e.status == .notFound ? "no-such-route" : "http-\(e.status.code)"
            let detail = e.status == .notFound ? "no endpoint \(request.method.rawValue) \(request.uri.path); see /openapi.json" : (e.body ?? e.status.reasonPhrase)
            var p = Problem(e.status, kind, e.status.reasonPhrase, detail)
            if request.uri.path.hasPrefix("/v2/") { p.extra["instance"] = .string(request.uri.path) }
            return p.response
        }
    }
}
