import ArgumentParser
import BPMExpressions
import BPMStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `bpm bench --waiting N`: the waiting-instances goal, each figure from a process of its own
/// so nothing else the bench did is in the memory figures. First `bpm bench --timers N
/// --timers-keep` fills a fresh SQLite file with N instances each waiting on a one-hour timer
/// (created/s and that engine's resident memory with all of them waiting); then `bpm serve`
/// starts on the file: the time from its launch to `/health/ready` answering 200, and the
/// server's resident memory then, its N instances still waiting.
struct WaitingBench {
    let instances: Int
    let concurrency: Int
    let sqliteSync: String

    struct Figures {
        var instances: Int
        var createdPerSecond: Double
        var engineRSSMiB: Double
        var readySeconds: Double
        var serveRSSMiB: Double
    }

    func run() async throws -> Figures {
        let dir = try BenchSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("waiting.sqlite").path
        let (status, out) = try DBOSPeer.exec([
            CommandLine.arguments[0], "bench", "--timers", "\(instances)", "--timers-keep", "--store", "sqlite:" + path,
            "--concurrency", "\(concurrency)", "--sqlite-sync", sqliteSync, "--json",
        ])
        guard status == 0, let line = out.split(separator: "\n").last(where: { $0.hasPrefix("[") }),
              let row = (try? JSON.parse(String(line)))?.listValue?.first(where: { $0[member: "store"] == "sqlite" })
        else { throw ValidationError("bench --timers failed (exit \(status)): \(out.suffix(400))") }
        let empty = dir.appendingPathComponent("definitions")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let launched = Date()
        let server = try BenchSupport.launchServe(store: "sqlite:" + path, definitions: empty.path)
        defer { if server.process.isRunning { server.process.terminate(); server.process.waitUntilExit() } }
        try await Self.waitReady(server.base, deadline: launched.addingTimeInterval(300))
        let ready = Date().timeIntervalSince(launched)
        let rss = BenchSupport.residentMiB(pid: server.process.processIdentifier)
        return Figures(instances: instances, createdPerSecond: row[member: "created_per_second"].doubleValue ?? 0,
                       engineRSSMiB: row[member: "rss_mib_waiting"].doubleValue ?? 0, readySeconds: ready, serveRSSMiB: rss)
    }

    /// Asks `/health/ready` every 10 ms until it answers 200 (bounded by the deadline).
    static func waitReady(_ base: String, deadline: Date) async throws {
        let session = URLSession(configuration: .ephemeral)
        let url = URL(string: base + "/health/ready")!
        while Date() < deadline {
            if let (_, r) = try? await session.data(from: url), (r as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw ValidationError("bpm serve was not ready at \(base) within the deadline")
    }
}

extension BenchSupport {
    /// Starts `bpm serve` (this executable) on `store` with the definitions of a folder, on a free
    /// loopback port and without the gRPC gateway; its process and base URL once it listens.
    static func launchServe(store: String, definitions: String, extra: [String] = []) throws
        -> (process: Process, base: String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = ["serve", "--store", store, "--definitions", definitions, "--no-watch", "--port", "0",
                       "--grpc-port", "0", "--log-level", "error"] + extra
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning, !text.contains("listening on") {
            text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let r = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) else {
            if p.isRunning { p.terminate() }
            throw ValidationError("bpm serve did not start: \(text)")
        }
        return (p, "http://127.0.0.1:" + text[r].split(separator: ":").last!)
    }

    /// A process's resident memory, MiB (this process's with pid 0).
    static func residentMiB(pid: Int32 = 0) -> Double {
        let file = pid == 0 ? "/proc/self/status" : "/proc/\(pid)/status"
        let status = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let kib = line.flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
        return kib / 1024
    }
}
