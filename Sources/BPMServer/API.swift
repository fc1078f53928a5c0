import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// The request handlers, each returning a JSON value or throwing a problem.
struct API: Sendable {
    let runtime: Runtime
    var limits = Limits()

    func handle(_ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch { return Problem.from(error).response }
    }

    func handle(_ body: () async throws -> Value) async -> Response {
        do { return Response.json(try await body()) } catch { return Problem.from(error).response }
    }

    /// A request header's value by name (case-insensitive).
    static func header(_ req: Request, _ name: String) -> String? {
        req.headers.first { $0.name.canonicalName == name.lowercased() }?.value
    }

    /// Reads a request body up to a limit: `limits.requestBytes`, or for a definition
    /// `limits.definitionBytes`; the problem names the option that sets it.
    func body(_ req: Request, definition: Bool = false) async throws -> String {
        let (limit, option) = bodyLimit(definition: definition)
        do {
            let buffer = try await req.body.collect(upTo: limit)
            return String(buffer: buffer)
        } catch {
            throw Self.tooLarge(limit, option)
        }
    }

    /// The problem for a body over its limit, naming the option that sets it.
    static func tooLarge(_ limit: Int, _ option: Limits.Option) -> Problem {
        Problem(.contentTooLarge, "body-too-large", "Request body too large",
                "this request's body is limited to \(limit) bytes (\(option.rawValue))")
    }

    /// The body limit of a request: `limits.definitionBytes` for a definition, else `limits.requestBytes`.
    func bodyLimit(definition: Bool) -> (Int, Limits.Option) {
        definition ? (limits.definitionBytes, .definitionBytes) : (limits.requestBytes, .requestBytes)
    }

    /// Parses a JSON object body; an empty body is an empty object.
    static func object(_ text: String, what: String = "request body") throws -> [String: Value] {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [:] }
        let v: Value
        do { v = try JSON.parse(text) } catch {
            throw Problem(.badRequest, "invalid-json", "Invalid JSON", "\(what) is not valid JSON: \(error.message) (at byte \(error.offset))")
        }
        guard case .context(let c) = v else { throw Problem(.badRequest, "invalid-body", "Invalid body", "\(what) must be a JSON object, not a \(v.typeName)") }
        return c
    }

    func variables(_ body: [String: Value], key: String = "variables") throws -> [String: Value] {
        guard let v = body[key] else { return [:] }
        guard case .context(let c) = v else { throw Problem(.badRequest, "invalid-variables", "Invalid variables", "'\(key)' must be a JSON object of name: value") }
        try checkSize(v, key)
        return c
    }

    /// `{"variables": {…}}`, or the body itself as the variables.
    func variablesOrBody(_ body: [String: Value]) throws -> [String: Value] {
        if body["variables"] != nil { return try variables(body) }
        try checkSize(.context(body), "body")
        return body
    }

    /// Refuses variables larger (as JSON) than `limits.variablesBytes`.
    func checkSize(_ v: Value, _ what: String) throws {
        let n = JSON.encode(v).utf8.count
        guard n > limits.variablesBytes else { return }
        throw Problem(.contentTooLarge, "variables-too-large", "Variables too large",
                      "'\(what)' is \(n) bytes as JSON; variables handed to an instance are limited to \(limits.variablesBytes) bytes (\(Limits.Option.variablesBytes.rawValue))")
    }

    /// A string in a JSON body, nil when absent or null; anything else present is refused.
    static func string(_ body: [String: Value], _ key: String) throws -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(key)' must be a string")
        }
    }

    /// A number in a JSON body, nil when absent; anything else present is refused.
    static func number(_ body: [String: Value], _ key: String, whole: Bool = false) throws -> Double? {
        switch body[key] {
        case nil, .null?: return nil
        case .number(let n)? where !whole || n == n.rounded(): return n
        default: throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(key)' must be a \(whole ? "whole number" : "number")")
        }
    }

    /// An ISO 8601 date-time query parameter.
    static func date(_ value: String?, _ name: String) throws -> Date? {
        guard let s = value else { return nil }
        guard let d = ISODate.parse(s) else {
            throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(name)' must be an ISO 8601 date and time such as 2026-11-26T10:00:00Z, got '\(s)'")
        }
        return d
    }

    static func int(_ value: String?, _ name: String, default d: Int, max m: Int) throws -> Int {
        guard let s = value else { return d }
        guard let n = Int(s), n >= 0 else { throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(name)' must be a non-negative integer, got '\(s)'") }
        guard n <= m else { throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(name)' must be at most \(m), got \(n)") }
        return n
    }

    /// A query parameter that takes one of a few words.
    static func oneOf(_ value: String?, _ name: String, _ allowed: [String]) throws -> String? {
        guard let s = value else { return nil }
        guard allowed.contains(s) else { throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'\(name)' must be one of \(allowed.joined(separator: ", ")), got '\(s)'") }
        return s
    }

    // MARK: handlers

    /// Ready when the store answers and every configured broker is reachable.
    func ready(_ checks: [String: @Sendable () async -> String?] = [:]) async throws -> Reply {
        var status: [String: Value] = [:]
        var failures: [String] = []
        do {
            _ = try await runtime.store.countInstances(status: .running)
            status["store"] = "ok"
        } catch {
            status["store"] = .string("\(error)")
            failures.append("store unavailable: \(error)")
        }
        for (name, check) in checks.sorted(by: { $0.key < $1.key }) {
            if let problem = await check() {
                status[name] = .string(problem)
                failures.append("\(name): \(problem)")
            } else {
                status[name] = "ok"
            }
        }
        if failures.isEmpty { return Reply.json(["status": "ready", "checks": .context(status)]) }
        return Problem(.serviceUnavailable, failures.count == 1 && status["store"] != "ok" ? "store-unavailable" : "not-ready", "Not ready",
                       failures.joined(separator: "; "), extra: ["checks": .context(status)]).reply
    }

    func definitions() async -> Value {
        let retired = await runtime.retiredDefinitions
        return .list(await runtime.registry.all.map { d, v in
            var c = Views.definition(d, version: v).contextValue ?? [:]
            if retired.contains(d.id) { c["retired"] = .bool(true) }
            return .context(c)
        })
    }

    func definition(_ id: String) async throws -> Value {
        guard let (d, v) = await runtime.definition(id) else { throw Runtime.RuntimeError.unknownDefinition(id) }
        var c = Views.definition(d, version: v).contextValue ?? [:]
        c["flow"] = .string(FlowPrinter.text(d))
        c["elementIds"] = .list(d.elements.map { .string($0.id) })
        return .context(c)
    }

    /// Deploys a definition sent as the body. `?file=NAME` names it in error messages and
    /// history; `?deployedBy=WHO` (or the `X-Deployed-By` header) records who deployed it.
    func deploy(_ body: String, _ req: Request) async throws -> Reply {
        guard !body.isEmpty else { throw Problem(.badRequest, "empty-body", "Empty body", "send the definition's YAML, BPMN or DMN as the request body") }
        let q = req.uri.queryParameters
        let file = q.get("file").map { String($0) } ?? "request"
        let by = q.get("deployedBy").map { String($0) } ?? API.header(req, "X-Deployed-By")
        let origin = "api" + (by.map { " by \($0)" } ?? "") + (file == "request" ? "" : " (\(file))")
        let deployed = try await runtime.deployDetailed(source: body, file: file, origin: origin)
        if deployed.isEmpty { return Reply.json(.context(["decisions": .list(runtime.decisions.keys.map(Value.string))]), status: .created) }
        func view(_ d: Runtime.Deployed) -> Value {
            var c = Views.definition(d.definition, version: d.version).contextValue ?? [:]
            c["created"] = .bool(d.created)
            return .context(c)
        }
        var first = view(deployed[0]).contextValue ?? [:]
        first["deployed"] = .list(deployed.map(view))
        // 201 when a version was made, 200 when the content was already the latest version
        return Reply.json(.context(first), status: deployed.contains(where: { $0.created }) ? .created : .ok)
    }

    func records(_ id: String) async throws -> [DefinitionRecord] {
        let all = try await runtime.store.definitions().filter { $0.id == id }
        guard !all.isEmpty else { throw Runtime.RuntimeError.unknownDefinition(id) }
        return all
    }

    static func recordView(_ r: DefinitionRecord, latest: Int, retired: Bool) -> Value {
        var c: [String: Value] = ["id": .string(r.id), "version": .number(Double(r.version)), "name": .string(r.name), "format": .string(r.format),
                                  "contentHash": .string(r.contentHash), "deployedAt": .string(Coding.iso(r.deployedAt)), "origin": .string(r.origin),
                                  "latest": .bool(r.version == latest)]
        if r.version == latest, retired { c["retired"] = .bool(true) }
        return .context(c)
    }

    /// Every version of a definition, oldest first.
    func versions(_ id: String) async throws -> Value {
        let all = try await records(id)
        let latest = all.map(\.version).max() ?? 0
        let retired = await runtime.retiredDefinitions.contains(id)
        return .list(all.map { Self.recordView($0, latest: latest, retired: retired) })
    }

    func record(_ id: String, _ version: String) async throws -> (DefinitionRecord, Int) {
        guard let v = Int(version), v > 0 else { throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "version must be a positive whole number, got '\(version)'") }
        let all = try await records(id)
        guard let r = all.first(where: { $0.version == v }) else {
            throw Problem(.notFound, "unknown-version", "Unknown version", "definition '\(id)' has versions \(all.map { String($0.version) }.joined(separator: ", ")), not \(v)")
        }
        return (r, all.map(\.version).max() ?? v)
    }

    func version(_ id: String, _ version: String) async throws -> Value {
        let (r, latest) = try await record(id, version)
        var c = Self.recordView(r, latest: latest, retired: await runtime.retiredDefinitions.contains(id)).contextValue ?? [:]
        c["source"] = .string(r.source)
        return .context(c)
    }

    /// A version's source as deployed (YAML or XML).
    func source(_ id: String, _ version: String) async throws -> Reply {
        let (r, _) = try await record(id, version)
        let xml = r.format == "bpmn" || r.format == "dmn"
        return Reply(contentType: xml ? "application/xml; charset=utf-8" : "application/yaml; charset=utf-8", r.source)
    }

    /// The structural difference between two versions (`?from=&to=`; default: the latest and
    /// the one before it).
    func diff(_ id: String, _ req: Request) async throws -> Value {
        let all = try await records(id)
        let latest = all.map(\.version).max() ?? 1
        let q = req.uri.queryParameters
        let to = try Self.int(q.get("to"), "to", default: latest, max: Int.max)
        let from = try Self.int(q.get("from"), "from", default: max(1, to - 1), max: Int.max)
        guard let a = await runtime.definition(id, version: from)?.0, let b = await runtime.definition(id, version: to)?.0 else {
            throw Problem(.notFound, "unknown-version", "Unknown version", "definition '\(id)' has versions \(all.map { String($0.version) }.joined(separator: ", "))")
        }
        var c = DefinitionDiff(from: a, to: b).value.contextValue ?? [:]
        c["id"] = .string(id)
        c["from"] = .number(Double(from))
        c["to"] = .number(Double(to))
        return .context(c)
    }

    /// Each watched file and what its last deployment gave.
    func deployments() async -> Value {
        let all = await runtime.deployments.values.sorted { $0.file < $1.file }
        return .list(all.map { d in
            var c: [String: Value] = ["file": .string(d.file), "state": .string(d.state.rawValue), "checkedAt": .string(Coding.iso(d.checkedAt)),
                                      "definitions": .list(d.definitions.map { ["id": .string($0.id), "version": .number(Double($0.version))] })]
            if !d.contentHash.isEmpty { c["contentHash"] = .string(d.contentHash) }
            if !d.errors.isEmpty { c["errors"] = .list(d.errors.map(Value.string)) }
            return .context(c)
        })
    }

    func instance(_ id: String) async throws -> Value {
        guard let s = try await runtime.store.instance(id) else { throw Runtime.RuntimeError.unknownInstance(id) }
        return Views.instance(s)
    }

    func history(_ id: String) async throws -> Value {
        guard try await runtime.store.instance(id) != nil else { throw Runtime.RuntimeError.unknownInstance(id) }
        return .list(try await runtime.store.history(instanceId: id).map(\.value))
    }

    func cancel(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        return Views.instance(try await runtime.send(.cancel(reason: try Self.string(o, "reason")), to: id))
    }

    func command(_ id: String, _ command: Command) async throws -> Value {
        Views.instance(try await runtime.send(command, to: id))
    }

    /// Applies an operator action to every instance matching a filter (at most 10,000 a call).
    enum BatchOperation: String, CaseIterable { case cancel, suspend, resume, retry, migrate }

    static func batchOperation(_ name: String) throws -> BatchOperation {
        guard let op = BatchOperation(rawValue: name) else {
            throw Problem(.notFound, "no-such-operation", "No such batch operation",
                          "batch operations: \(BatchOperation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return op
    }

    func batch(_ operation: String, _ body: String) async throws -> Value {
        let op = try Self.batchOperation(operation)
        let o = try Self.object(body)
        // the operation's arguments are checked before any instance is touched
        let reason = op == .cancel ? try Self.string(o, "reason") ?? "batch cancel" : ""
        let targetVersion = op == .migrate ? try Self.targetVersion(o) : nil
        let f = o["filter"]?.contextValue ?? [:]
        if let unknown = f.keys.sorted().first(where: { !["definitionId", "correlationKey", "businessKey", "status"].contains($0) }) {
            throw Problem(.badRequest, "invalid-filter", "Invalid filter", "unknown filter field '\(unknown)': filter by definitionId, status, correlationKey, businessKey")
        }
        var query = InstanceQuery(limit: 10_000)
        query.definitionId = f["definitionId"]?.stringValue
        query.correlationKey = f["correlationKey"]?.stringValue
        query.businessKey = f["businessKey"]?.stringValue
        if let s = f["status"]?.stringValue {
            guard let st = InstanceStatus(rawValue: s) else { throw Problem(.badRequest, "invalid-filter", "Invalid filter", "unknown status '\(s)'") }
            query.status = st
        }
        guard query.definitionId != nil || query.correlationKey != nil || query.businessKey != nil || query.status != nil else {
            throw Problem(.badRequest, "invalid-filter", "Invalid filter", "a batch needs a filter: {\"filter\": {\"definitionId\": …, \"status\": …}}")
        }
        let instances = try await runtime.store.instances(query)
        var applied = 0
        var failures: [Value] = []
        for i in instances {
            do {
                switch op {
                case .cancel: _ = try await runtime.send(.cancel(reason: reason), to: i.id)
                case .suspend: _ = try await runtime.send(.suspend, to: i.id)
                case .resume: _ = try await runtime.send(.resume, to: i.id)
                case .retry:
                    for inc in try await runtime.store.incidents(instanceId: i.id, openOnly: true) { _ = try await runtime.retryIncident(inc.incident.id) }
                case .migrate: _ = try await runtime.migrate(i.id, toVersion: targetVersion)
                }
                applied += 1
            } catch let p as Problem {
                throw p
            } catch {
                failures.append(["instanceId": .string(i.id), "reason": .string("\(error)")])
            }
        }
        return ["matched": .number(Double(instances.count)), "applied": .number(Double(applied)), "failures": .list(failures)]
    }

    func setVariables(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        return Views.instance(try await runtime.send(.setVariables(try variablesOrBody(o)), to: id))
    }

    func event(_ body: String, _ req: Request) async throws -> Value {
        let q = req.uri.queryParameters
        let o = try Self.object(body, what: "event")
        var topic = q.get("topic")
        var definitionId = q.get("definitionId")
        var payload = Value.context(o)
        var extra: [String: Value] = [:]
        // the envelope's fields (an event sent bare with ?topic= may not use them otherwise)
        let envelopeTopic = try Self.string(o, "topic"), envelopeDefinition = try Self.string(o, "definitionId")
        if let p = o["payload"] {
            payload = p
            topic = envelopeTopic ?? topic
            definitionId = envelopeDefinition ?? definitionId
            extra = try variables(o)
        }
        guard topic != nil || definitionId != nil else {
            throw Problem(.unprocessableContent, "missing-topic", "Missing topic",
                          "say where the event belongs: {\"topic\": …, \"payload\": {…}} or {\"definitionId\": …, \"payload\": {…}}, or ?topic=… with the event as the body")
        }
        try checkSize(payload, "payload")
        let outcomes = try await runtime.publish(event: payload, topic: topic, definitionId: definitionId, variables: extra)
        return .context(["outcomes": .list(outcomes.map { o in
            var c: [String: Value] = ["definitionId": .string(o.definitionId), "action": .string(o.action.rawValue)]
            if let i = o.instanceId { c["instanceId"] = .string(i) }
            if let k = o.correlationKey { c["correlationKey"] = .string(k) }
            if let r = o.reason { c["reason"] = .string(r) }
            return .context(c)
        })])
    }

    func message(_ body: String) async throws -> Value {
        let o = try Self.object(body, what: "message")
        guard let name = o["name"]?.stringValue, !name.isEmpty else {
            throw Problem(.badRequest, "invalid-message", "Invalid message", "a message needs a 'name'")
        }
        var ttl = 0.0
        switch o["timeToLive"] {
        case .number(let d)?: ttl = d
        case .string(let s)?:
            guard let d = try? DurationParser.seconds(s) else {
                throw Problem(.unprocessableContent, "invalid-message", "Invalid message", "timeToLive '\(s)' is not a duration (e.g. PT1H, 10m) or a number of seconds")
            }
            ttl = d
        case nil, .null?: break
        default: throw Problem(.badRequest, "invalid-message", "Invalid message", "timeToLive must be a duration or a number of seconds")
        }
        let key: String?
        switch o["correlationKey"] {
        case nil, .null?: key = nil
        case .string(let s)?: key = s
        case .number?: key = o["correlationKey"]!.interpolated
        default: throw Problem(.badRequest, "invalid-message", "Invalid message", "correlationKey must be a string or a number")
        }
        guard ttl.isFinite, ttl >= 0, ttl <= 100 * 365 * 86400 else {
            throw Problem(.unprocessableContent, "invalid-message", "Invalid message", "timeToLive must be between 0 seconds and 100 years")
        }
        let outcome = try await runtime.publish(message: PublishedMessage(name: name, correlationKey: key, variables: try variables(o), timeToLive: ttl))
        switch outcome {
        case .correlated(let id): return ["outcome": "correlated", "instanceId": .string(id)]
        case .started(let ids): return ["outcome": "started", "instanceIds": .list(ids.map(Value.string))]
        case .buffered: return ["outcome": "buffered"]
        case .dropped: return ["outcome": "dropped"]
        }
    }

    func signal(_ body: String) async throws -> Value {
        let o = try Self.object(body, what: "signal")
        guard let name = o["name"]?.stringValue, !name.isEmpty else {
            throw Problem(.badRequest, "invalid-signal", "Invalid signal", "a signal needs a 'name'")
        }
        let r = try await runtime.broadcast(signal: name, variables: try variables(o))
        return ["correlated": .number(Double(r.correlated)), "instanceIds": .list(r.started.map(Value.string))]
    }

    func decisions() -> Value { .list(runtime.decisions.keys.map(Value.string)) }

    func evaluateDecision(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        let inputs = try variablesOrBody(o)
        do {
            return ["result": try runtime.decisions.evaluate(id, inputs: inputs)]
        } catch {
            if error.message.hasPrefix("no deployed decision") { throw Problem(.notFound, "unknown-decision", "Decision not found", error.message) }
            throw Problem(.unprocessableContent, "decision-failed", "Decision failed", error.message)
        }
    }

    func tasks(_ req: Request) async throws -> Value {
        let q = req.uri.queryParameters
        var query = TaskQuery(limit: try Self.int(q.get("limit"), "limit", default: 50, max: 1000), offset: try Self.int(q.get("offset"), "offset", default: 0, max: Int.max))
        let statuses = ["open", "creating", "assigning", "completing", "completed", "cancelled", "all"]
        query.status = try Self.oneOf(q.get("status"), "status", statuses) ?? "open"
        if query.status == "all" { query.status = nil }
        query.assignee = q.get("assignee")
        query.candidateGroup = q.get("candidateGroup")
        query.instanceId = q.get("instanceId")
        query.definitionId = q.get("definitionId") ?? q.get("processId")
        if let p = q.get("minPriority") {
            guard let n = Int(p) else { throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'minPriority' must be a whole number, got '\(p)'") }
            query.minPriority = n
        }
        query.dueBefore = try Self.date(q.get("dueBefore"), "dueBefore")
        query.dueAfter = try Self.date(q.get("dueAfter"), "dueAfter")
        query.followUpBefore = try Self.date(q.get("followUpBefore"), "followUpBefore")
        if let s = q.get("sort") {
            guard let sort = TaskSort(rawValue: String(s)) else {
                throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "'sort' must be one of \(TaskSort.allCases.map(\.rawValue).joined(separator: ", ")), got '\(s)'")
            }
            query.sort = sort
        }
        return .context(["items": .list(try await runtime.store.userTasks(query).map(\.value)),
                         "limit": .number(Double(query.limit)), "offset": .number(Double(query.offset))])
    }

    func task(_ id: String) async throws -> Value {
        guard let t = try await runtime.store.userTask(id) else { throw Runtime.RuntimeError.unknownTask(id) }
        return t.value
    }

    func completeTask(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        return Views.instance(try await runtime.completeTask(id, variables: try variables(o)))
    }

    func claimTask(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        if let caller = Auth.caller {
            // with auth, a claim is for the caller
            if let named = o["user"]?.stringValue, named != caller.user {
                throw Problem(.forbidden, "claim-for-another", "Forbidden", "\(caller.user) may claim a task only for themselves, not for \(named)")
            }
            try await authorizeTask(id)
            return try await runtime.claimTask(id, user: caller.user).value
        }
        guard let user = o["user"]?.stringValue, !user.isEmpty else {
            throw Problem(.badRequest, "invalid-body", "Invalid body", "send {\"user\": \"name\"} to claim a task")
        }
        return try await runtime.claimTask(id, user: user).value
    }

    func assignTask(_ id: String, _ user: String?) async throws -> Value {
        try await runtime.assignTask(id, to: user).value
    }

    func activateJobs(_ body: String) async throws -> Value {
        let o = try Self.object(body)
        guard let type = o["type"]?.stringValue, !type.isEmpty else {
            throw Problem(.badRequest, "invalid-body", "Invalid body", "send {\"type\": \"job type\", \"worker\": \"name\", \"maxJobsToActivate\": 10, \"timeout\": 30000, \"requestTimeout\": 10000}")
        }
        try authorizeJobType(type)
        let worker = try Self.string(o, "worker") ?? Auth.caller?.user ?? "anonymous"
        let max = Int(feel: try Self.number(o, "maxJobsToActivate", whole: true) ?? 10)
        let lockMs = try Self.number(o, "timeout", whole: true) ?? 300_000
        let pollMs = try Self.number(o, "requestTimeout", whole: true) ?? 0
        guard max >= 1, max <= 1000, lockMs > 0, pollMs >= 0, pollMs <= 120_000 else {
            throw Problem(.badRequest, "invalid-parameter", "Invalid parameter", "maxJobsToActivate must be 1…1000, timeout > 0 ms, requestTimeout 0…120000 ms")
        }
        let jobs = try await runtime.activateJobs(type: type, worker: worker, max: max, lock: lockMs / 1000, requestTimeout: min(pollMs / 1000, limits.longPollSeconds))
        return ["jobs": .list(jobs.map { a in
            var payload = a.job.payload.contextValue ?? [:]
            let headers = payload.removeValue(forKey: "headers") ?? .context([:])
            payload["listener"] = nil
            return .context(Self.listenerFields(a.job).merging([
                "key": .string(a.job.id), "type": .string(a.job.action), "processInstanceKey": .string(a.job.instanceId),
                "bpmnProcessId": .string(a.job.definitionId), "elementId": .string(a.job.elementId), "attempt": .number(Double(a.job.attempt)),
                "variables": .context((a.job.variables ?? [:]).merging(payload) { _, input in input }), "customHeaders": headers,
                "deadline": .string(Coding.iso(a.deadline)),
            ]) { _, v in v })
        })]
    }

    func reportJob(_ id: String, _ kind: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        let outcome: ConnectorOutcome
        switch kind {
        case "complete":
            if let raw = o["result"], raw != .null {
                // an ad-hoc sub-process's job worker activates elements; a task listener's verdict otherwise
                if case .context(let r) = raw, r["type"]?.stringValue == "adHocSubProcess"
                    || ["activateElements", "isCompletionConditionFulfilled", "isCancelRemainingInstances"]
                    .contains(where: { r[$0] != nil })
                {
                    return try await completeAdHocJob(id, raw, try variables(o))
                }
                return try await completeWithResult(id, o, result: raw)
            }
            outcome = .completed(try variables(o))
        case "fail":
            let retries = o["retries"]?.doubleValue ?? 0
            outcome = .failed(message: try Self.string(o, "errorMessage") ?? "failed by the worker", retryable: retries > 0)
        default:
            guard let code = o["errorCode"]?.stringValue, !code.isEmpty else {
                throw Problem(.badRequest, "invalid-body", "Invalid body", "a BPMN error needs an 'errorCode'")
            }
            outcome = .bpmnError(code: code, message: try Self.string(o, "errorMessage"))
        }
        guard let s = try await runtime.reportJob(id, outcome) else { return .null }
        return Views.instance(s)
    }

    /// Completes the job of an ad-hoc sub-process's job worker with a job result (docs/bpmn.md);
    /// a result that is malformed or names an element the sub-process cannot activate is a 400.
    func completeAdHocJob(_ id: String, _ raw: Value, _ vars: [String: Value]) async throws -> Value {
        guard let (job, _) = try await runtime.store.job(id) else {
            throw Runtime.RuntimeError.rejected("no active job \(id)")
        }
        do {
            guard let result = try AdHocJobResult(json: raw) else {
                return try await runtime.reportJob(id, .completed(vars)).map(Views.instance) ?? .null
            }
            let s = try await runtime.completeAdHocJob(job, variables: vars, result: result)
            return s.map(Views.instance) ?? .null
        } catch Runtime.RuntimeError.invalidInput(let message, _) {
            throw Problem(.badRequest, "invalid-body", "Invalid body", message)
        }
    }

    static func targetVersion(_ o: [String: Value]) throws -> Int? {
        guard let v = o["targetVersion"] else { return nil }
        guard let n = v.doubleValue, n >= 1, n == n.rounded(), n <= 2_147_483_647 else {
            throw Problem(.badRequest, "invalid-body", "Invalid body", "targetVersion must be a version number (1, 2, …), got \(JSON.encode(v))")
        }
        return Int(n)
    }

    /// Migrates an instance: `{"targetVersion": N}` (default: the latest version).
    func migrate(_ id: String, _ body: String) async throws -> Value {
        let o = try Self.object(body)
        return Views.instance(try await runtime.migrate(id, toVersion: try Self.targetVersion(o)))
    }

    func logs(_ req: Request) async throws -> Value {
        let q = req.uri.queryParameters
        return .context(["items": .list(try await runtime.store.logs(instanceId: q.get("instanceId")).map(Views.log))])
    }
}
