import BPMExpressions
import Foundation

/// Events and their actions: an event with a condition is a `decision` whose true path runs its
/// actions; consecutive `setVariable` and timer actions are one `script` (its assignments in
/// order, each seeing the ones before: SERIAL evaluation); each other action is a `service`.
extension IoTEventsConverter {
    /// Emits events in document order; returns the id the list begins at (`then` when it does nothing).
    mutating func chain(_ events: [Value], path: String, prefix: String, state: String, then: String) -> String {
        var next = then
        var groups: [[YNode]] = []
        for i in events.indices.reversed() {
            let start = activities.count
            next = event(events[i], path: "\(path)[\(i)]", id: "\(prefix)_\(i)", state: state, then: next)
            groups.append(Array(activities[start...]))
            activities.removeSubrange(start...)
        }
        for g in groups.reversed() { activities += g }
        return next
    }

    mutating func event(_ e: Value, path: String, id: String, state: String, then: String) -> String {
        let m = e.contextValue ?? [:]
        for k in m.keys.sorted() where !["eventName", "condition", "actions"].contains(k) { report("\(path).\(k)",
            "unknown field") }
        let list = m["actions"]?.listValue ?? []
        guard !list.isEmpty else { return then }
        var condition: String?
        if let c = m["condition"]?.stringValue, c.trimmingCharacters(in: .whitespaces) != "true" {
            condition = feel(c, path + ".condition") ?? "false"
        }
        let start = activities.count
        let body = actions(list, path: path + ".actions", id: id, state: state, then: then)
        guard let condition else { return body }
        add(id, "decision", [("condition", .expr(condition)), ("true_path", .raw(body)), ("false_path", .raw(then))])
        activities.insert(activities.removeLast(), at: start)  // the decision before its actions
        return id
    }

    enum Step {
        case script([(String, YNode)])
        case service([(String, YNode)])
    }

    /// Emits the actions of one event; returns the id of the first (`then` when none maps).
    mutating func actions(_ list: [Value], path: String, id: String, state: String, then: String) -> String {
        var steps: [Step] = []
        for (k, a) in list.enumerated() {
            let ap = "\(path)[\(k)]"
            guard let m = a.contextValue, !m.isEmpty else { report(ap, "an empty action"); continue }
            for kind in m.keys.sorted() {
                let fields = m[kind]?.contextValue ?? [:]
                if let set = assignment(kind, fields, path: "\(ap).\(kind)") {
                    if case .script(let before)? = steps.last { steps[steps.count - 1] = .script(before + set) } else {
                        steps.append(.script(set))
                    }
                } else if let service = service(kind, fields, path: "\(ap).\(kind)", state: state) {
                    steps.append(.service(service))
                }
            }
        }
        let ids = steps.indices.map { "\(id)_\($0 + 1)" }
        for (j, step) in steps.enumerated() {
            let next: (String, YNode) = ("next", .raw(j + 1 < ids.count ? ids[j + 1] : then))
            switch step {
            case .script(let set): add(ids[j], "script", [("set", .map(set)), next])
            case .service(let fields): add(ids[j], "service", fields + [next])
            }
        }
        return ids.first ?? then
    }

    /// `setVariable` and the timer actions as assignments; nil for other kinds (and, reported,
    /// for one whose expression does not map: `[]`).
    mutating func assignment(_ kind: String, _ f: [String: Value], path: String) -> [(String, YNode)]? {
        func known(_ keys: Set<String>) {
            for k in f.keys.sorted() where !keys.contains(k) { report("\(path).\(k)", "unknown field") }
        }
        let timer = f["timerName"]?.stringValue ?? ""
        let v = timerVar(timer)
        let due = { (seconds: String) in "string(now() + duration(\"PT\" + string(\(seconds)) + \"S\"))" }
        switch kind {
        case "setVariable":
            known(["variableName", "value"])
            guard let name = f["variableName"]?.stringValue, let value = f["value"]?.stringValue,
                  let x = feel(value, path + ".value") else { return [] }
            return [(variables[name] ?? name, .expr(x))]
        case "setTimer":
            known(["timerName", "seconds", "durationExpression"])
            let seconds: String?
            if let e = f["durationExpression"]?.stringValue { seconds = feel(e, path + ".durationExpression") } else {
                seconds = f["seconds"]?.doubleValue.map { String(Int($0)) }
            }
            guard let seconds else {
                report(path, "a timer without seconds or durationExpression")
                return []
            }
            return [(v + "_seconds", .expr(seconds)), (v, .expr(due(v + "_seconds")))]
        case "resetTimer":
            known(["timerName"])
            return [(v, .expr("if \(v) = null then null else \(due(v + "_seconds"))"))]
        case "clearTimer":
            known(["timerName"])
            return [(v, .expr("null"))]
        default:
            return nil
        }
    }

    /// `iotTopicPublish`, `lambda` and `sns` as connector steps; the rest is reported.
    mutating func service(_ kind: String, _ f: [String: Value], path: String, state: String) -> [(String, YNode)]? {
        func known(_ keys: Set<String>) {
            for k in f.keys.sorted() where !keys.contains(k) { report("\(path).\(k)", "unknown field") }
        }
        switch kind {
        case "iotTopicPublish":
            known(["mqttTopic", "payload", "qos"])
            guard let t = f["mqttTopic"]?.stringValue, let topic = topicTemplate(t, path + ".mqttTopic"),
                  let payload = payload(f["payload"], path + ".payload", state: state) else { return nil }
            var fields: [(String, YNode)] = [("action", .raw("mqtt_publish")), ("topic", .str(topic)), ("payload",
                payload)]
            if let q = f["qos"]?.doubleValue { fields.append(("qos", .raw(String(Int(q))))) }
            return fields
        case "lambda":
            known(["functionArn", "payload"])
            guard let body = payload(f["payload"], path + ".payload", state: state) else { return nil }
            let arn = f["functionArn"]?.stringValue ?? ""
            let name = arn.split(separator: ":").last.map(String.init) ?? "function"
            let url = options.lambdaURL ?? "https://lambda.invalid/" + name
            if options.lambdaURL == nil {
                report(path + ".functionArn", "Lambda function \(arn): the http step calls the placeholder \(url); "
                       + "give its URL with --lambda-url")
            }
            return [("action", .raw("http")), ("method", .raw("POST")), ("url", .str(url)),
                    ("headers", .map([("Content-Type", .str("application/json"))])), ("body", body)]
        case "sns":
            known(["targetArn", "payload"])
            guard let message = payload(f["payload"], path + ".payload", state: state) else { return nil }
            return [("action", .raw("notify")), ("message", message), ("target_arn",
                .str(f["targetArn"]?.stringValue ?? ""))]
        default:
            let what = Self.awsActions[kind].map { "the \(kind) action (\($0)) has no connector here" }
                ?? "unknown action '\(kind)'"
            report(path, what)
            return nil
        }
    }

    static let awsActions: [String: String] = [
        "iotEvents": "an input of another detector model", "sqs": "an Amazon SQS queue",
        "firehose": "an Amazon Data Firehose stream",
        "dynamoDB": "an Amazon DynamoDB table", "dynamoDBv2": "an Amazon DynamoDB table",
        "iotSiteWise": "an AWS IoT SiteWise asset property",
    ]

    /// An action's payload as a template; without one, IoT Events' default (the detector's
    /// model, key and state) as JSON.
    mutating func payload(_ p: Value?, _ path: String, state: String) -> YNode? {
        guard let m = p?.contextValue else {
            return .str("{\"detectorModelName\": \"\(model.name)\", \"keyValue\": \"${iot_key}\", "
                        + "\"state\": \"\(state)\"}")
        }
        for k in m.keys.sorted() where !["contentExpression", "type"].contains(k) { report("\(path).\(k)",
            "unknown field") }
        guard let e = m["contentExpression"]?.stringValue else {
            report(path, "a payload without contentExpression")
            return nil
        }
        return template(e, path + ".contentExpression").map(YNode.str)
    }

    /// An expression as a `${…}` template: a string literal keeps its text and substitution
    /// templates; any other expression is one placeholder.
    mutating func template(_ e: String, _ path: String) -> String? {
        var x = IoTEventsExpression(names: expressionNames)
        do {
            let tokens = try IoTEventsExpression.tokenize(e)
            if tokens.count == 1, case .string(let s) = tokens[0] {
                return try x.templateParts(s).map(Self.text).joined()
            }
            return "${\(try x.translate(e))}"
        } catch {
            report(path, error.message)
            return nil
        }
    }

    /// `mqttTopic`: text with substitution templates, or a quoted expression.
    mutating func topicTemplate(_ t: String, _ path: String) -> String? {
        if t.trimmingCharacters(in: .whitespaces).hasPrefix("'") { return template(t, path) }
        var x = IoTEventsExpression(names: expressionNames)
        do { return try x.templateParts(t).map(Self.text).joined() } catch {
            report(path, error.message)
            return nil
        }
    }

    static func text(_ p: IoTEventsExpression.Part) -> String {
        switch p {
        case .text(let t): t
        case .expression(let e): "${\(e)}"
        }
    }
}
