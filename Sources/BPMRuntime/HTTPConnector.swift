import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Secrets (tokens, passwords) for connectors: from the environment (`BPM_SECRET_NAME`) or a
/// secrets file of `NAME=value` lines. Definitions refer to them as `{{secrets.NAME}}`; they
/// are substituted only when a request is sent, so they never appear in history, effects or logs.
public struct Secrets: Sendable {
    let values: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, file: String? = nil) {
        var v: [String: String] = [:]
        for (k, value) in environment where k.hasPrefix("BPM_SECRET_") { v[String(k.dropFirst("BPM_SECRET_".count))] = value }
        if let file, let text = try? String(contentsOfFile: file, encoding: .utf8) {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                v[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            }
        }
        values = v
    }

    /// Replaces `{{secrets.NAME}}`; an unknown secret is an error naming it (never its value).
    func resolve(_ text: String) throws -> String {
        var out = text
        while let r = out.range(of: "{{secrets.") {
            guard let end = out[r.upperBound...].range(of: "}}") else { break }
            let name = String(out[r.upperBound..<end.lowerBound])
            guard let value = values[name] else { throw HTTPConnector.Failure.missingSecret(name) }
            out.replaceSubrange(r.lowerBound..<end.upperBound, with: value)
        }
        return out
    }
}

/// The `http` action: `method`, `url`, `headers`, `body` (JSON), `request_timeout` (a
/// duration such as `5s`, or seconds; `timeout` in seconds from BPMN input mappings). The
/// response becomes `{status, body, headers}` (the body parsed as JSON when it is). 5xx answers
/// and connection errors are retried with the task's backoff; 4xx answers are not.
/// The job id is sent as `Idempotency-Key`.
public struct HTTPConnector: Connector {
    enum Failure: Error, CustomStringConvertible {
        case missingSecret(String)
        var description: String {
            switch self { case .missingSecret(let n): "unknown secret '\(n)' (set BPM_SECRET_\(n) or add it to the secrets file)" }
        }
    }

    let secrets: Secrets
    let session: URLSession

    public init(secrets: Secrets = Secrets()) {
        self.secrets = secrets
        let config = URLSessionConfiguration.ephemeral
        // calls to one slow host must not queue behind each other (the default allows a few
        // connections per host, and a queued call's time counts against its timeout)
        config.httpMaximumConnectionsPerHost = 128
        session = URLSession(configuration: config)
    }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        let p = job.payload
        guard let urlText = p[member: "url"].stringValue else { return .failed(message: "http: no 'url'", retryable: false) }
        var callTimeout: TimeInterval = 30
        do {
            guard let url = URL(string: try secrets.resolve(urlText)), url.scheme == "http" || url.scheme == "https" else {
                return .failed(message: "http: '\(urlText)' is not an http(s) URL", retryable: false)
            }
            var req = URLRequest(url: url)
            req.httpMethod = (p[member: "method"].stringValue ?? (p[member: "body"].isNull ? "GET" : "POST")).uppercased()
            let limit = p[member: "request_timeout"]
            guard let seconds = limit.doubleValue ?? (limit.stringValue.flatMap { try? DurationParser.seconds($0) }) ?? (limit.isNull ? p[member: "timeout"].doubleValue ?? 30 : nil), seconds > 0 else {
                return .failed(message: "http: request_timeout '\(limit.interpolated)' is not a duration such as 5s", retryable: false)
            }
            req.timeoutInterval = seconds
            callTimeout = seconds
            req.setValue(job.id, forHTTPHeaderField: "Idempotency-Key")
            for (k, v) in p[member: "headers"].contextValue ?? [:] { req.setValue(try secrets.resolve(v.interpolated), forHTTPHeaderField: k) }
            if !p[member: "body"].isNull {
                let body = p[member: "body"]
                req.httpBody = Data(try secrets.resolve(body.stringValue ?? JSON.encode(body)).utf8)
                if req.value(forHTTPHeaderField: "Content-Type") == nil, body.stringValue == nil { req.setValue("application/json", forHTTPHeaderField: "Content-Type") }
            }
            let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { c in
                session.dataTask(with: req) { d, r, e in
                    if let e { c.resume(throwing: e) } else if let r { c.resume(returning: (d ?? Data(), r)) } else { c.resume(throwing: URLError(.badServerResponse)) }
                }.resume()
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data, as: UTF8.self)
            let body = (try? JSON.parse(text)) ?? .string(text)
            if status >= 500 { return .failed(message: "http \(req.httpMethod ?? "") \(urlText): \(status)", retryable: true) }
            if status >= 400 { return .failed(message: "http \(req.httpMethod ?? "") \(urlText): \(status) \(text.prefix(200))", retryable: false) }
            return .completed(["status": .number(Double(status)), "body": body])
        } catch let f as Failure {
            return .failed(message: "http: \(f)", retryable: false)
        } catch {
            return .failed(message: "http \(urlText): \(Self.describe(error, timeout: callTimeout))", retryable: true)
        }
    }

    /// A transport failure in words an operator can act on (Foundation's are "error -1001").
    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        guard let e = error as? URLError else { return error.localizedDescription }
        switch e.code {
        case .timedOut: return "timed out after \(DurationParser.describe(timeout)) without an answer"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "unknown host"
        case .networkConnectionLost: return "the connection was closed before the answer was complete"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed: \(e.localizedDescription)"
        case .badServerResponse: return "the answer was not HTTP"
        default: return "\(e.localizedDescription) (URLError \(e.code.rawValue))"
        }
    }
}

/// The plan's `notify` action, as a webhook: posts `{channel, message, to, instanceId, elementId}`
/// to the URL configured for the channel (`BPM_NOTIFY_<CHANNEL>_URL` or the secrets file), or to
/// `BPM_NOTIFY_URL` for every channel.
public struct WebhookNotifyConnector: Connector {
    let http: HTTPConnector
    let urls: [String: String]
    let fallbackURL: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, secrets: Secrets = Secrets()) {
        http = HTTPConnector(secrets: secrets)
        var u: [String: String] = [:]
        for (k, v) in environment where k.hasPrefix("BPM_NOTIFY_") && k.hasSuffix("_URL") && k != "BPM_NOTIFY_URL" {
            u[String(k.dropFirst("BPM_NOTIFY_".count).dropLast("_URL".count)).lowercased()] = v
        }
        urls = u
        fallbackURL = environment["BPM_NOTIFY_URL"]
    }

    /// Whether any webhook is configured (else `notify` stays unconfigured and raises an incident).
    public var isConfigured: Bool { !urls.isEmpty || fallbackURL != nil }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        let channel = job.payload[member: "channel"].stringValue ?? "default"
        guard let url = urls[channel.lowercased()] ?? fallbackURL else {
            return .failed(message: "notify: no webhook for channel '\(channel)' (set BPM_NOTIFY_\(channel.uppercased())_URL or BPM_NOTIFY_URL)", retryable: false)
        }
        var body = job.payload.contextValue ?? [:]
        body["instanceId"] = .string(job.instanceId)
        body["elementId"] = .string(job.elementId)
        var j = job
        j.payload = .context(["method": "POST", "url": .string(url), "body": .context(body)])
        return await http.execute(j)
    }
}
