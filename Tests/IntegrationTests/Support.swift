import BPMExpressions
import BPMTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `bpm` executable (`make test` builds it first; BPM_BINARY overrides).
let bpmBinary: String = ProcessInfo.processInfo.environment["BPM_BINARY"] ?? repoRoot.appendingPathComponent(".build/debug/bpm").path

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `bpm` with arguments and waits for it.
func bpm(_ args: [String], cwd: URL = repoRoot) async throws -> CommandResult {
    guard FileManager.default.isExecutableFile(atPath: bpmBinary) else {
        throw TestFailure("the bpm binary is missing at \(bpmBinary): run `swift build` first (make test does)")
    }
    // Spawned: output to files, not pipes (reading a pipe to its end never ends while a
    // process another test spawned meanwhile holds an inherited copy of its write end), and the
    // wait on a thread of its own (a blocked thread of the test's two stalls the async tests)
    let r = try await Spawned.start([bpmBinary] + args, separateErrors: true, directory: cwd.path).finished()
    return CommandResult(status: r.status, stdout: r.output, stderr: r.errors)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func temporaryDirectory() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-it-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

/// A new folder inside `dir` (for definitions a server watches).
func subfolder(_ name: String, of dir: URL) throws -> URL {
    let d = dir.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

/// A `bpm serve` process on a free port.
final class Server: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = ""
    private(set) var port = 0
    private let exited = DispatchSemaphore(value: 0)
    let dir: URL

    init(store: URL, definitions: URL, extra: [String] = [], environment: [String: String] = [:], storeURL: String? = nil, stderr: URL? = nil) throws {
        dir = store.deletingLastPathComponent()
        process.executableURL = URL(fileURLWithPath: bpmBinary)
        process.arguments = ["serve", "--store", storeURL ?? "sqlite:\(store.path)", "--definitions", definitions.path, "--port", "0", "--log-level", "warning"]
            + (extra.contains("--grpc-port") ? [] : ["--grpc-port", "0"]) + extra  // servers in parallel: no shared 26500
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let out = Pipe()
        process.standardOutput = out
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        }
        out.fileHandleForReading.readabilityHandler = { [weak self] h in
            let text = String(decoding: h.availableData, as: UTF8.self)
            self?.lock.withLock { self?.output += text }
        }
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = lock.withLock { output }
            if let r = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[r].split(separator: ":").last!)!
                return
            }
            guard process.isRunning else { throw TestFailure("bpm serve exited with \(process.terminationStatus)") }
            Thread.sleep(forTimeInterval: 0.02)  // polling a child process's output, not waiting on engine time
        }
        process.terminate()
        throw TestFailure("bpm serve did not report its port")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends `signal` and waits for the exit, at most `seconds`: a server that does not stop
    /// (a call or stream its shutdown waits for) is a failure, killed, not a hung test run.
    /// SIGKILL cannot be resisted, so how long the process takes to go is the kernel's (a process in
    /// the middle of a write to a busy disk goes when the write is done): it gets five minutes.
    /// The exit is seen by Foundation's termination handler or, should that never come (the child
    /// reaped elsewhere), by the process table: no process, or a zombie, has exited.
    func kill(_ signal: Int32, within seconds: Int = 60) {
        let pid = process.processIdentifier
        Foundation.kill(pid, signal)
        let bound = signal == SIGKILL ? max(seconds, 300) : seconds
        let deadline = Date().addingTimeInterval(Double(bound))
        while exited.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            // exited: Foundation reaps it and signals within moments, unless someone else reaped it
            if Self.gone(pid) {
                if exited.wait(timeout: .now() + .seconds(5)) == .success { process.waitUntilExit() }
                return
            }
            if Date() >= deadline {
                Issue.record("bpm serve did not exit within \(bound) s of signal \(signal)")
                Foundation.kill(pid, SIGKILL)
                return
            }
        }
        process.waitUntilExit()
    }

    /// Whether a process has exited: it is not in the process table, or it is a zombie (`Z`, `X`).
    static func gone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state == "Z" || state == "X"
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}

struct HTTPResult {
    var status: Int
    var contentType: String
    var body: Value
    var text: String
}

/// A real HTTP request (URLSession).
func http(_ method: String, _ url: String, body: String? = nil, contentType: String = "application/json", token: String? = nil,
          headers: [String: String] = [:]) async throws -> HTTPResult {
    var req = URLRequest(url: URL(string: url)!)
    req.httpMethod = method
    for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
    if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    req.timeoutInterval = 30
    if let body {
        req.httpBody = Data(body.utf8)
        req.setValue(contentType, forHTTPHeaderField: "Content-Type")
    }
    let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { c in
        URLSession.shared.dataTask(with: req) { d, r, e in
            if let e { c.resume(throwing: e) } else { c.resume(returning: (d ?? Data(), r!)) }
        }.resume()
    }
    let h = response as! HTTPURLResponse
    let text = String(decoding: data, as: UTF8.self)
    return HTTPResult(status: h.statusCode, contentType: h.value(forHTTPHeaderField: "Content-Type") ?? "",
                      body: (try? JSON.parse(text)) ?? .null, text: text)
}

/// Polls `condition` every 0.2 s until it holds (another process's progress on the wall clock),
/// at most `timeout` seconds; then fails naming `what`.
func waitUntil(_ what: String, timeout: Double = 120, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 200_000_000)
    }
    throw TestFailure("timed out waiting for \(what)")
}
