import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit

/// What a caller may do.
public enum Role: String, Sendable, CaseIterable {
    /// Read everything: definitions, instances, history, tasks, incidents, metrics, the UI;
    /// claim and complete the user tasks they are assignee or candidate of.
    case viewer
    /// And act on instances: start, cancel, suspend, resume, set variables, migrate, retry and
    /// resolve incidents, publish events, messages and signals, assign tasks.
    case `operator`
    /// And deploy definitions.
    case admin
    /// Activate and complete jobs (of the job types it is given, or any).
    case worker
}

/// An authenticated caller.
public struct Principal: Sendable, Equatable {
    public var user: String
    public var roles: Set<Role>
    public var groups: [String]
    /// Job types a worker may activate and complete (nil: every type).
    public var jobTypes: Set<String>?

    public init(user: String, roles: Set<Role>, groups: [String] = [], jobTypes: Set<String>? = nil) {
        self.user = user
        self.roles = roles
        self.groups = groups
        self.jobTypes = jobTypes
    }

    /// admin includes operator, operator includes viewer; worker stands alone.
    public func has(_ role: Role) -> Bool {
        switch role {
        case .viewer: !roles.isDisjoint(with: [.viewer, .operator, .admin])
        case .operator: !roles.isDisjoint(with: [.operator, .admin])
        case .admin: roles.contains(.admin)
        case .worker: roles.contains(.worker)
        }
    }

    /// Whether the caller may claim or complete a task: as its assignee, or as a candidate
    /// (user or group) of a task nobody else has claimed.
    public func mayWork(on task: UserTaskRecord) -> Bool {
        if let a = task.assignee { return a == user }
        return task.candidateUsers.contains(user) || !Set(task.candidateGroups).isDisjoint(with: groups)
    }
}

/// How callers authenticate: API tokens from a file, and JWTs (HS256 with a shared secret,
/// RS256 with a public key) with an optional issuer and audience. Off when neither is set.
public struct AuthSettings: Sendable {
    public var tokens: [String: Principal] = [:]
    public var jwt: JWTKeyCollection?
    public var issuer: String?
    public var audience: String?

    public init() {}

    public var enabled: Bool { !tokens.isEmpty || jwt != nil }

    /// Reads an API token file: one token per line, `TOKEN user=NAME roles=operator,worker
    /// groups=finance job_types=payment`; `#` comments. Errors name the line.
    public static func tokens(file: String) throws -> [String: Principal] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw AuthError.config("cannot read the token file \(file)") }
        var out: [String: Principal] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            var p = Principal(user: "", roles: [])
            for field in parts.dropFirst() {
                guard let eq = field.firstIndex(of: "=") else { throw AuthError.config("\(file):\(n + 1): '\(field)' is not NAME=value") }
                let key = String(field[..<eq]), values = field[field.index(after: eq)...].split(separator: ",").map(String.init)
                switch key {
                case "user": p.user = values.first ?? ""
                case "roles":
                    for r in values {
                        guard let role = Role(rawValue: r) else { throw AuthError.config("\(file):\(n + 1): unknown role '\(r)' (one of: viewer, operator, admin, worker)") }
                        p.roles.insert(role)
                    }
                case "groups": p.groups = values
                case "job_types": p.jobTypes = Set(values)
                default: throw AuthError.config("\(file):\(n + 1): unknown field '\(key)' (user, roles, groups, job_types)")
                }
            }
            guard parts[0].count >= 16 else { throw AuthError.config("\(file):\(n + 1): a token must be at least 16 characters") }
            guard !p.user.isEmpty, !p.roles.isEmpty else { throw AuthError.config("\(file):\(n + 1): a token needs user= and roles=") }
            out[parts[0]] = p
        }
        return out
    }

    /// The caller of a request, from `Authorization: Bearer …` or the UI's `bpm_token` cookie.
    public func principal(_ request: Request) async throws(AuthError) -> Principal {
        guard let token = Self.bearer(request) else { throw AuthError.unauthenticated("no credentials: send Authorization: Bearer <token>") }
        return try await principal(token: token)
    }

    /// The caller an API token or a JWT stands for.
    public func principal(token: String) async throws(AuthError) -> Principal {
        if let p = tokens[token] { return p }
        guard let jwt, token.split(separator: ".").count == 3 else { throw AuthError.unauthenticated("unknown API token") }
        let claims: Claims
        do { claims = try await jwt.verify(token, as: Claims.self) } catch { throw AuthError.unauthenticated("invalid token: \(error)") }
        if let issuer, claims.iss?.value != issuer { throw AuthError.unauthenticated("the token's issuer is not \(issuer)") }
        if let audience, !(claims.aud?.value.contains(audience) ?? false) { throw AuthError.unauthenticated("the token is not meant for \(audience)") }
        var roles: Set<Role> = []
        for r in claims.roles ?? [] { if let role = Role(rawValue: r) { roles.insert(role) } }
        return Principal(user: claims.sub.value, roles: roles, groups: claims.groups ?? [], jobTypes: claims.job_types.map(Set.init))
    }

    static func bearer(_ request: Request) -> String? {
        if let h = request.headers[.authorization], h.lowercased().hasPrefix("bearer ") {
            return String(h.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        for c in request.headers[values: .cookie].flatMap({ $0.split(separator: ";") }) {
            let kv = c.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix("bpm_token=") { return String(kv.dropFirst("bpm_token=".count)).removingPercentEncoding }
        }
        return nil
    }

    /// The claims swift-bpm reads: `sub` (the user), `exp`, optional `iss`/`aud`, and `roles`,
    /// `groups`, `job_types` (lists of strings).
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var roles: [String]?
        var groups: [String]?
        var job_types: [String]?

        func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
    }
}

public enum AuthError: Error, Sendable, CustomStringConvertible {
    case config(String)
    case unauthenticated(String)
    case forbidden(String)

    public var description: String {
        switch self {
        case .config(let m), .unauthenticated(let m), .forbidden(let m): m
        }
    }
}

/// The caller of the request being handled (set by `AuthMiddleware`; nil with auth off).
public enum Auth {
    @TaskLocal public static var caller: Principal?
}

/// Authenticates every request but the health checks, the OpenAPI document and the login
/// page, and checks the role the route needs (`requiredRole`). 401 without valid
/// credentials, 403 without the role; both as problem details naming what was missing.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let settings: AuthSettings
    let runtime: Runtime

    static func isPublic(_ path: String) -> Bool {
        ["/health/live", "/health/ready", "/openapi.json", "/ui/login", "/ui/logout", "/ui/api"].contains(path)
    }

    /// The role a route needs.
    static func requiredRole(_ method: HTTPRequest.Method, _ path: String) -> Role {
        if method == .get || method == .head { return .viewer }
        let parts = path.split(separator: "/").map(String.init)
        if parts.first == "v2" { return v2Role(method, Array(parts.dropFirst())) }
        switch (parts.first ?? "", parts.last ?? "") {
        case ("definitions", "validate"), ("definitions", "preview"), ("definitions", "test-run"): return .viewer  // deploy nothing
        case ("definitions", _), ("clock", _): return .admin
        case ("jobs", _): return .worker
        case ("tasks", "complete"), ("tasks", "claim"), ("tasks", "unclaim"): return .viewer  // and assignee or candidate: checked with the task
        case ("decisions", "evaluate"): return .viewer
        case ("ui", "form-state"): return .viewer  // evaluates a task form's conditions, changes nothing
        default: return .operator
        }
    }

    /// The role a Camunda REST v2 operation needs (`/v2/…`, see docs/camunda.md): jobs are for workers (their job
    /// types checked per job), searches, decisions and task completion (as assignee or candidate) for viewers,
    /// deployments and deleting resources for admins, the rest for operators.
    static func v2Role(_ method: HTTPRequest.Method, _ parts: [String]) -> Role {
        switch (parts.first ?? "", parts.last ?? "") {
        case ("deployments", _), ("resources", _): return .admin
        case ("jobs", _): return method == .patch ? .operator : .worker
        case (_, "search"), ("decision-definitions", _), ("user-tasks", "completion"): return .viewer
        default: return .operator
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.isPublic(path) { return try await next(request, context) }
        let caller: Principal
        do { caller = try await settings.principal(request) } catch {
            if path.hasPrefix("/ui") || path == "/" { return Response(status: .seeOther, headers: [.location: "/ui/login"]) }
            throw Problem(.unauthorized, "unauthenticated", "Authentication required", error.description)
        }
        let role = Self.requiredRole(request.method, path)
        guard caller.has(role) else {
            let have = caller.roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw Problem(.forbidden, "forbidden", "Forbidden",
                          "\(request.method.rawValue) \(path) needs the role \(role.rawValue); \(caller.user) has \(have.isEmpty ? "none" : have)")
        }
        return try await Auth.$caller.withValue(caller) {
            let response = try await next(request, context)
            if request.method != .get, request.method != .head, response.status.code < 300 {
                await Audit.afterRequest(runtime, request.method.rawValue, path)
            }
            return response
        }
    }
}

extension API {
    /// With auth on: the caller may claim, unclaim or complete the task (assignee or candidate).
    func authorizeTask(_ id: String) async throws {
        guard let caller = Auth.caller else { return }
        guard let task = try await runtime.store.userTask(id) else { throw Runtime.RuntimeError.unknownTask(id) }
        guard caller.mayWork(on: task) else {
            let who = task.assignee.map { "it is assigned to \($0)" }
                ?? "its candidates are users [\(task.candidateUsers.joined(separator: ", "))] and groups [\(task.candidateGroups.joined(separator: ", "))]"
            throw Problem(.forbidden, "not-a-candidate", "Forbidden", "\(caller.user) may not work on task \(id): \(who)")
        }
    }

    /// With auth on: a worker limited to some job types may handle only those.
    func authorizeJobType(_ type: String) throws {
        guard let caller = Auth.caller, let types = caller.jobTypes, !types.contains(type) else { return }
        throw Problem(.forbidden, "job-type-not-allowed", "Forbidden",
                      "worker \(caller.user) may handle job types [\(types.sorted().joined(separator: ", "))], not '\(type)'")
    }

    func authorizeJob(_ id: String) async throws {
        guard Auth.caller?.jobTypes != nil else { return }
        guard let (job, _) = try await runtime.store.job(id) else { return }
        try authorizeJobType(job.action)
    }
}

/// Who did what, in the history of the instance it was done to: an entry of type `audit`
/// with the user, their roles and the request, for every state-changing request made with
/// authentication on (starts, commands, variables, migrations, task and incident actions).
enum Audit {
    static func record(_ runtime: Runtime, instanceId: String, action: String) async {
        guard let caller = Auth.caller else { return }
        var batch = CommitBatch()
        batch.history = [HistoryEntry(instanceId: instanceId, elementId: "audit", elementType: "audit", event: "request", at: Date(),
                                      data: ["user": .string(caller.user), "roles": .list(caller.roles.map(\.rawValue).sorted().map(Value.string)),
                                             "request": .string(action)])]
        try? await runtime.store.commit(batch)
    }

    /// The instance a request acted on, when its path names one (starts record themselves).
    static func afterRequest(_ runtime: Runtime, _ method: String, _ path: String) async {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3 else { return }
        var instance: String?
        switch parts[0] {
        case "processes" where parts[2] != "start": instance = parts[1]
        case "tasks": instance = try? await runtime.store.userTask(parts[1])?.instanceId
        case "incidents": instance = try? await runtime.store.incident(parts[1])?.incident.instanceId
        default: break
        }
        if let instance { await record(runtime, instanceId: instance, action: "\(method) \(path)") }
    }
}
