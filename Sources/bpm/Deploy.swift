import ArgumentParser
import BPMExpressions
import BPMRuntime
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy definition files to a running server (for CI pipelines).",
        discussion: """
        Sends each file to POST /definitions on the server. A changed file becomes a new
        version; identical content keeps its version (reported as unchanged); an invalid file
        is rejected with every problem as FILE:LINE:COL: error: MESSAGE, and the version
        before it stays active. Files are validated locally first, so nothing is sent when
        any of them is invalid (unless --each).

        Exit status: 0 when every file deployed (or was unchanged), 1 otherwise.
        """
    )

    @Argument(help: "Definition files (YAML, BPMN, DMN, rule sets).")
    var files: [String]

    @Option(help: "The server's base URL.")
    var server: String = ProcessInfo.processInfo.environment["BPM_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(help: "Who deploys, recorded with each version (default: USER@HOST).")
    var deployedBy: String?

    @Option(name: .customLong("token"), help: "A bearer token for the server (or BPM_TOKEN).")
    var tokenOption: String?
    /// `--token`, else `BPM_TOKEN`.
    var token: String? { tokenOption ?? ProcessInfo.processInfo.environment["BPM_TOKEN"] }

    @Flag(help: "Send every valid file even when others are invalid.")
    var each = false

    func run() async throws {
        var sources: [(String, String)] = []
        var invalid = 0
        for f in files {
            do {
                let text = try DefinitionLoader.read(path: f)
                if DefinitionLoader.isDecisionSource(text) { _ = try DecisionRegistry.parse(source: text, file: f) } else { _ = try DefinitionLoader.parseAll(source: text, file: f) }
                sources.append((f, text))
            } catch {
                invalid += 1
                for e in error.errors { printError(e.description) }
            }
        }
        if invalid > 0 && !each {
            printError("\(invalid) file(s) invalid; nothing deployed (use --each to deploy the valid ones)")
            throw ExitCode(1)
        }
        let who = deployedBy ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")@\(ProcessInfo.processInfo.hostName)"
        let session = URLSession(configuration: .ephemeral)
        var failed = invalid
        for (file, text) in sources {
            var c = URLComponents(string: server.hasSuffix("/") ? String(server.dropLast()) + "/definitions" : server + "/definitions")
            c?.queryItems = [URLQueryItem(name: "file", value: (file as NSString).lastPathComponent), URLQueryItem(name: "deployedBy", value: who)]
            guard let url = c?.url else { throw ValidationError("invalid --server URL '\(server)'") }
            var req = URLRequest(url: url, timeoutInterval: 30)
            req.httpMethod = "POST"
            req.httpBody = Data(text.utf8)
            req.setValue(text.hasPrefix("<") ? "application/xml" : "application/yaml", forHTTPHeaderField: "Content-Type")
            if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            do {
                let (data, response) = try await session.data(for: req)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                let body = (try? JSON.parse(String(decoding: data, as: UTF8.self))) ?? .null
                if status == 200 || status == 201 {
                    if let list = body[member: "deployed"].listValue {
                        for d in list {
                            let v = d[member: "version"].interpolated
                            print("\(file): \(d[member: "id"].interpolated) v\(v) \(d[member: "created"] == .bool(true) ? "deployed" : "unchanged")")
                        }
                    } else {
                        print("\(file): decisions deployed")
                    }
                } else {
                    failed += 1
                    if let errors = body[member: "errors"].listValue {
                        for e in errors { printError("\(file):\(e[member: "line"].interpolated):\(e[member: "column"].interpolated): error: \(e[member: "message"].interpolated)") }
                    } else {
                        printError("\(file): \(status) \(body[member: "detail"].stringValue ?? String(decoding: data, as: UTF8.self))")
                    }
                }
            } catch {
                failed += 1
                printError("\(file): cannot reach \(server): \(error.localizedDescription)")
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
