import BPMExpressions
import Foundation

/// Conversion of engine records to and from `Value` (and so JSON), for stores and the API.
public enum Coding {
    /// ISO 8601 with milliseconds, UTC: `2026-11-26T14:30:00.000Z`. Dates outside years
    /// 0001–9999 (a duration of a million years added to now, an infinite one) are written as
    /// the nearest end of that range.
    public static func iso(_ d: Date) -> String {
        let t = d.timeIntervalSince1970
        let seconds = t.isNaN ? 0 : min(max(t, -62_135_596_800), 253_402_300_799.999)
        let ms = Int64((seconds * 1000).rounded())
        let secs = Int(ms.quotientAndRemainder(dividingBy: 1000).quotient - (ms < 0 && ms % 1000 != 0 ? 1 : 0))
        let milli = Int(ms - Int64(secs) * 1000)
        var days = secs.quotientAndRemainder(dividingBy: 86400).quotient
        var rem = secs - days * 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, d) = Temporal.civil(days)
        // written digit by digit: this runs for every history row and timestamp column
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ v: Int, _ n: Int, at i: Int) {
                var v = v
                for k in stride(from: i + n - 1, through: i, by: -1) { out[k] = UInt8(48 + v % 10); v /= 10 }
            }
            put(y, 4, at: 0); out[4] = 45; put(m, 2, at: 5); out[7] = 45; put(d, 2, at: 8); out[10] = 84
            put(rem / 3600, 2, at: 11); out[13] = 58; put(rem % 3600 / 60, 2, at: 14); out[16] = 58; put(rem % 60, 2, at: 17)
            out[19] = 46; put(milli, 3, at: 20); out[23] = 90
            return 24
        }
    }

    /// Parses the ISO 8601 forms `YYYY-MM-DDTHH:MM:SS(.fff)(Z|±HH:MM)`.
    public static func date(_ s: String) -> Date? {
        if let d = fastDate(s) { return d }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }

    /// The exact form `iso(_:)` writes, parsed without a formatter.
    static func fastDate(_ s: String) -> Date? {
        let u = Array(s.utf8)
        guard u.count == 24, u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 46, u[23] == 90 else { return nil }
        func num(_ a: Int, _ n: Int) -> Int? {
            var v = 0
            for i in a..<(a + n) { let c = Int(u[i]) - 48; guard c >= 0, c <= 9 else { return nil }; v = v * 10 + c }
            return v
        }
        guard let y = num(0, 4), let m = num(5, 2), let d = num(8, 2), let hh = num(11, 2), let mm = num(14, 2),
              let ss = num(17, 2), let ms = num(20, 3), m >= 1, m <= 12 else { return nil }
        let days = Temporal.days(y, m, d)
        let secs = Double(days * 86400 + hh * 3600 + mm * 60 + ss) + Double(ms) / 1000
        return Date(timeIntervalSince1970: secs)
    }

    static func ms(_ d: Date) -> Value { .number((d.timeIntervalSince1970 * 1000).rounded()) }
    static func date(ms v: Value?) -> Date? { v?.doubleValue.map { Date(timeIntervalSince1970: $0 / 1000) } }
}

extension Wait {
    var value: Value {
        switch self {
        case .timer(let t): ["timer": .string(t)]
        case .job(let j, let a): ["job": .string(j), "attempt": .number(Double(a))]
        case .retry(let t, let j, let a): ["retryTimer": .string(t), "job": .string(j), "attempt": .number(Double(a))]
        case .userTask(let id): ["userTask": .string(id)]
        case .incident(let id): ["incident": .string(id)]
        case .subProcess: ["subProcess": true]
        case .signal(let name): ["signal": .string(name)]
        case .calledInstance(let id): ["called": .string(id)]
        case .message(let name, let key): ["message": .string(name), "key": key.map(Value.string) ?? .null]
        case .eventGateway(let armed):
            ["eventGateway": .list(armed.map { a in
                .context(["element": .string(a.elementId), "timer": a.timerId.map(Value.string) ?? .null, "signal": a.signal.map(Value.string) ?? .null,
                          "subscription": a.subscriptionId.map(Value.string) ?? .null])
            })]
        case .innerInstance(let index): ["inner": .number(Double(index))]
        case .condition: ["condition": true]
        case .adHocActivation: ["adHocActivation": true]
        case .compensating(let pending, let resume):
            ["compensating": .list(pending.map(\.value)), "resume": .bool(resume)]
        case .compensationHandler(let record): ["compensationHandler": record.value]
        case .listener(let l): ["listener": l.value]
        case .loop(let l):
            ["loop": .context([
                "total": l.total.map { .number(Double($0)) } ?? .null, "started": .number(Double(l.started)),
                "completed": .number(Double(l.completed)), "items": l.items.map(Value.list) ?? .null, "outputs": .list(l.outputs),
            ])]
        }
    }

    init?(_ v: Value) {
        guard case .context(let c) = v else { return nil }
        let attempt = Int(c["attempt"]?.doubleValue ?? 1)
        if let t = c["retryTimer"]?.stringValue, let j = c["job"]?.stringValue { self = .retry(timerId: t, jobId: j, attempt: attempt) }
        else if let t = c["timer"]?.stringValue { self = .timer(timerId: t) }
        else if let j = c["job"]?.stringValue { self = .job(jobId: j, attempt: attempt) }
        else if let u = c["userTask"]?.stringValue { self = .userTask(taskId: u) }
        else if let i = c["incident"]?.stringValue { self = .incident(incidentId: i) }
        else if c["subProcess"] != nil { self = .subProcess }
        else if let name = c["signal"]?.stringValue { self = .signal(name) }
        else if let id = c["called"]?.stringValue { self = .calledInstance(id) }
        else if let name = c["message"]?.stringValue { self = .message(name: name, correlationKey: c["key"]?.stringValue) }
        else if let armed = c["eventGateway"]?.listValue {
            self = .eventGateway(armed.compactMap { a in
                a[member: "element"].stringValue.map {
                    ArmedEvent(elementId: $0, timerId: a[member: "timer"].stringValue, signal: a[member: "signal"].stringValue,
                               subscriptionId: a[member: "subscription"].stringValue)
                }
            })
        }
        else if let n = c["inner"]?.doubleValue { self = .innerInstance(index: Int(n)) }
        else if c["condition"] != nil { self = .condition }
        else if c["adHocActivation"] != nil { self = .adHocActivation }
        else if let p = c["compensating"]?.listValue {
            self = .compensating(pending: p.compactMap(CompensationRecord.init), resume: c["resume"] != .bool(false))
        }
        else if let r = c["compensationHandler"].flatMap(CompensationRecord.init) { self = .compensationHandler(r) }
        else if let l = c["listener"].flatMap(ListenerJob.init) { self = .listener(l) }
        else if case .context(let l) = c["loop"] ?? .null {
            var ls = LoopState(total: l["total"]?.doubleValue.map { Int($0) }, items: l["items"]?.listValue)
            ls.started = Int(l["started"]?.doubleValue ?? 0)
            ls.completed = Int(l["completed"]?.doubleValue ?? 0)
            ls.outputs = l["outputs"]?.listValue ?? []
            self = .loop(ls)
        }
        else { return nil }
    }

    /// A short human description (`timer`, `job`, `user task`, …).
    public var kind: String {
        switch self {
        case .timer: "timer"
        case .job: "job"
        case .retry: "retry backoff"
        case .userTask: "user task"
        case .incident: "incident"
        case .subProcess: "sub-process"
        case .signal: "signal"
        case .calledInstance: "called process"
        case .message: "message"
        case .eventGateway: "event"
        case .condition: "condition"
        case .adHocActivation: "ad-hoc activation"
        case .loop: "instances"
        case .innerInstance: "instance"
        case .compensating: "compensation"
        case .compensationHandler: "compensation handler"
        case .listener: "listener job"
        }
    }
}

extension Incident {
    public var value: Value {
        var c: [String: Value] = ["id": .string(id), "instanceId": .string(instanceId), "elementId": .string(elementId),
                                  "type": .string(type), "message": .string(message), "createdAt": .string(Coding.iso(createdAt))]
        if let jobId { c["jobId"] = .string(jobId) }
        if let retries { c["retries"] = .number(Double(retries)) }
        return .context(c)
    }

    init?(_ v: Value) {
        guard case .context(let c) = v, let id = c["id"]?.stringValue, let iid = c["instanceId"]?.stringValue,
              let el = c["elementId"]?.stringValue, let type = c["type"]?.stringValue,
              let created = c["createdAt"]?.stringValue.flatMap(Coding.date) else { return nil }
        self.init(id: id, instanceId: iid, elementId: el, type: type, message: c["message"]?.stringValue ?? "",
                  jobId: c["jobId"]?.stringValue, createdAt: created)
        retries = c["retries"]?.doubleValue.map { Int($0) }
    }
}

extension InstanceState {
    /// The execution state without the variables (stored in their own column): tokens, joins,
    /// incidents, counters.
    public var executionValue: Value {
        var c: [String: Value] = ["seq": .number(Double(sequence))]
        if !tokens.isEmpty {
            c["tokens"] = .list(tokens.map { t in
                var tc: [String: Value] = ["id": .string(t.id), "element": .string(t.elementId), "wait": t.wait.value]
                if !t.boundaryTimers.isEmpty {
                    tc["boundary"] = .list(t.boundaryTimers.map(\.value))
                }
                if let scope = t.scope { tc["scope"] = .string(scope) }
                return .context(tc)
            })
        }
        if !joins.isEmpty { c["joins"] = .context(joins.mapValues { .context($0.mapValues { .number(Double($0)) }) }) }
        if !incidents.isEmpty { c["incidents"] = .list(incidents.map(\.value)) }
        if !locals.isEmpty { c["locals"] = .context(locals.mapValues { .context($0) }) }
        if let parent { c["parent"] = ["instance": .string(parent.instanceId), "token": .string(parent.tokenId)] }
        if !held.isEmpty { c["held"] = .list(held.compactMap(\.value)) }
        if !processTriggers.isEmpty {
            c["triggers"] = .list(processTriggers.map(\.value))
        }
        if !compensable.isEmpty { c["compensable"] = .list(compensable.map(\.value)) }
        if !adHocWaiting.isEmpty { c["adHocWaiting"] = .list(adHocWaiting.sorted().map(Value.string)) }
        if let error {
            c["error"] = .context(["code": .string(error.code), "message": error.message.map(Value.string) ?? .null])
        }
        return .context(c)
    }

    /// Restores an instance from its stored columns and execution state.
    public init(id: String, definitionId: String, definitionVersion: Int, status: InstanceStatus, variables: [String: Value],
                execution: Value, correlationKey: String?, businessKey: String?, startedAt: Date, endedAt: Date?, revision: Int)
    {
        self.init(id: id, definitionId: definitionId, definitionVersion: definitionVersion, variables: variables,
                  correlationKey: correlationKey, businessKey: businessKey, startedAt: startedAt)
        self.status = status
        self.endedAt = endedAt
        self.revision = revision
        guard case .context(let c) = execution else { return }
        sequence = Int(c["seq"]?.doubleValue ?? 0)
        tokens = (c["tokens"]?.listValue ?? []).compactMap { tv in
            guard case .context(let tc) = tv, let tid = tc["id"]?.stringValue, let el = tc["element"]?.stringValue,
                  let wait = tc["wait"].flatMap(Wait.init) else { return nil }
            let boundary = (tc["boundary"]?.listValue ?? []).compactMap(BoundaryTimer.init(value:))
            return Token(id: tid, elementId: el, wait: wait, boundaryTimers: boundary, scope: tc["scope"]?.stringValue)
        }
        locals = (c["locals"]?.contextValue ?? [:]).compactMapValues(\.contextValue)
        held = (c["held"]?.listValue ?? []).compactMap(Command.init(value:))
        processTriggers = (c["triggers"]?.listValue ?? []).compactMap(BoundaryTimer.init(value:))
        if let pi = c["parent"]?[member: "instance"].stringValue, let pt = c["parent"]?[member: "token"].stringValue {
            parent = ParentLink(instanceId: pi, tokenId: pt)
        }
        joins = (c["joins"]?.contextValue ?? [:]).mapValues { ($0.contextValue ?? [:]).mapValues { Int($0.doubleValue ?? 0) } }
        incidents = (c["incidents"]?.listValue ?? []).compactMap(Incident.init)
        compensable = (c["compensable"]?.listValue ?? []).compactMap(CompensationRecord.init)
        adHocWaiting = Set((c["adHocWaiting"]?.listValue ?? []).compactMap(\.stringValue))
        if case .context(let e) = c["error"] ?? .null, let code = e["code"]?.stringValue {
            error = InstanceError(code: code, message: e["message"]?.stringValue)
        }
    }
}

extension HistoryEntry {
    /// The API shape: `{"elementId", "elementType", "event", "at", "data"?, "elementInstanceId"?}`.
    public var value: Value {
        var c: [String: Value] = ["elementId": .string(elementId), "elementType": .string(elementType),
                                  "event": .string(event), "at": .string(Coding.iso(at))]
        if let data { c["data"] = data }
        if let elementInstanceId { c["elementInstanceId"] = .string(elementInstanceId) }
        return .context(c)
    }
}

extension UserTaskRecord {
    public var value: Value {
        var c: [String: Value] = [
            "id": .string(id), "instanceId": .string(instanceId), "definitionId": .string(definitionId),
            "elementId": .string(elementId), "candidateUsers": .list(candidateUsers.map(Value.string)),
            "candidateGroups": .list(candidateGroups.map(Value.string)), "priority": .number(Double(priority)),
            "status": .string(status), "createdAt": .string(Coding.iso(createdAt)),
        ]
        if let name { c["name"] = .string(name) }
        if let assignee { c["assignee"] = .string(assignee) }
        if let form { c["form"] = form }
        if let description { c["description"] = .string(description) }
        if let completedAt { c["completedAt"] = .string(Coding.iso(completedAt)) }
        if let dueAt { c["dueAt"] = .string(Coding.iso(dueAt)) }
        if let followUpAt { c["followUpAt"] = .string(Coding.iso(followUpAt)) }
        return .context(c)
    }
}

extension Command {
    /// The commands an instance may hold while suspended, as values (for its stored state).
    var value: Value? {
        switch self {
        case .timerFired(let t): ["timer": .string(t)]
        case .jobCompleted(let j, let out): ["jobCompleted": .string(j), "output": .context(out)]
        case .adHocJobCompleted(let j, let out, let r):
            ["jobCompleted": .string(j), "output": .context(out), "adHoc": r.value]
        case .jobFailed(let j, let m, let r, let type): ["jobFailed": .string(j), "message": .string(m), "retryable": .bool(r), "type": .string(type)]
        case .jobThrewError(let j, let code, let m): ["jobError": .string(j), "code": .string(code), "message": m.map(Value.string) ?? .null]
        case .correlate(let v): ["correlate": .context(v)]
        case .correlateMessage(let s, let v): ["message": .string(s), "variables": .context(v)]
        case .childCompleted(let t, let v): ["childCompleted": .string(t), "variables": .context(v)]
        case .childFailed(let t, let code, let m): ["childFailed": .string(t), "code": .string(code), "message": m.map(Value.string) ?? .null]
        case .childStartFailed(let t, let m): ["childStartFailed": .string(t), "message": .string(m)]
        default: nil
        }
    }

    init?(value v: Value) {
        guard case .context(let c) = v else { return nil }
        let vars = c["variables"]?.contextValue ?? [:]
        if let t = c["timer"]?.stringValue { self = .timerFired(timerId: t) }
        else if let j = c["jobCompleted"]?.stringValue, let r = c["adHoc"].flatMap(AdHocJobResult.init(value:)) {
            self = .adHocJobCompleted(jobId: j, output: c["output"]?.contextValue ?? [:], result: r)
        }
        else if let j = c["jobCompleted"]?.stringValue { self = .jobCompleted(jobId: j, output: c["output"]?.contextValue ?? [:]) }
        else if let j = c["jobFailed"]?.stringValue {
            self = .jobFailed(jobId: j, message: c["message"]?.stringValue ?? "", retryable: c["retryable"] == .bool(true), incidentType: c["type"]?.stringValue ?? "job_failed")
        }
        else if let j = c["jobError"]?.stringValue { self = .jobThrewError(jobId: j, code: c["code"]?.stringValue ?? "error", message: c["message"]?.stringValue) }
        else if let v = c["correlate"]?.contextValue { self = .correlate(variables: v) }
        else if let s = c["message"]?.stringValue, c["variables"] != nil { self = .correlateMessage(subscriptionId: s, variables: vars) }
        else if let t = c["childCompleted"]?.stringValue { self = .childCompleted(tokenId: t, variables: vars) }
        else if let t = c["childFailed"]?.stringValue { self = .childFailed(tokenId: t, code: c["code"]?.stringValue ?? "error", message: c["message"]?.stringValue) }
        else if let t = c["childStartFailed"]?.stringValue { self = .childStartFailed(tokenId: t, message: c["message"]?.stringValue ?? "") }
        else { return nil }
    }
}

extension BoundaryTimer {
    /// The stored form: the timer (or subscription) and element, and for a timer its due time
    /// and a cycle's progress (absent in states stored before cycles, read as a one-shot timer).
    var value: Value {
        var c: [String: Value] = ["timer": .string(timerId), "element": .string(boundaryElementId)]
        if let dueAt { c["due"] = .number(dueAt.timeIntervalSince1970) }
        if fired > 0 { c["fired"] = .number(Double(fired)) }
        if let cycle { c["cycle"] = .string(cycle) }
        if held { c["held"] = true }
        return .context(c)
    }

    init?(value b: Value) {
        guard let t = b[member: "timer"].stringValue, let e = b[member: "element"].stringValue else { return nil }
        let due = b[member: "due"].doubleValue.map { Date(timeIntervalSince1970: $0) }
        self.init(timerId: t, boundaryElementId: e, dueAt: due, fired: Int(b[member: "fired"].doubleValue ?? 0),
                  cycle: b[member: "cycle"].stringValue, held: b[member: "held"] == true)
    }
}
