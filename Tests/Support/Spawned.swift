import Foundation

/// A program the tests start with posix_spawn and wait for with waitpid. Foundation's Process
/// can wait forever for a child's exit while async tests keep the cooperative pool busy, and a
/// server started by the child (pg_ctl) would hold its pipes open; output goes to a file.
public struct Spawned: Sendable {
    public let pid: pid_t
    let outPath: String?
    let errPath: String?

    /// Starts `argv` (the program is looked up on PATH) in `directory` (default: this process's);
    /// with `capture`, standard output and error are kept together for `wait()` (apart, with
    /// `separateErrors`), otherwise discarded.
    public static func start(_ argv: [String], capture: Bool = true, separateErrors: Bool = false, directory: String? = nil) throws -> Spawned {
        func scratch() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("bpm-spawn-\(UUID().uuidString)").path }
        let outPath = capture ? scratch() : nil
        let errPath = capture && separateErrors ? scratch() : nil
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let errPath {
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // env -C changes the directory (Swift's Glibc module does not show posix_spawn's addchdir)
        let argv = directory.map { ["/usr/bin/env", "-C", $0] + argv } ?? argv
        let args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { args.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, args, environ)
        guard rc == 0 else { throw TestPostgres.Failure("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        return Spawned(pid: pid, outPath: outPath, errPath: errPath)
    }

    /// What a program that ended said: its exit status (128 + the signal when killed by one),
    /// what it printed, and (with `separateErrors`) its standard error apart.
    public typealias Outcome = (status: Int32, output: String, errors: String)

    /// Waits for the program to end.
    public func wait() -> Outcome { waitMeasured().outcome }

    /// Waits for the program to end, and tells the processor time it used (user and system
    /// seconds): a bound on its own work that other load on the machine does not move.
    public func waitMeasured() -> (outcome: Outcome, cpuSeconds: Double) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        func take(_ path: String?) -> String {
            guard let path else { return "" }
            defer { unlink(path) }
            return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return (((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), take(outPath), take(errPath)), cpu)
    }

    /// `waitMeasured` on a thread of its own (see `finished()`).
    public func finishedMeasured() async -> (outcome: Outcome, cpuSeconds: Double) {
        await withCheckedContinuation { c in Thread.detachNewThread { c.resume(returning: self.waitMeasured()) } }
    }

    /// Waits for the program to end on a thread of its own, so an async test does not hold one
    /// of the cooperative pool's threads meanwhile (there are as many as cores: two waits for a
    /// slow program stall every other async test).
    public func finished() async -> Outcome {
        await withCheckedContinuation { c in Thread.detachNewThread { c.resume(returning: self.wait()) } }
    }

    /// Runs a program to its end, from an async test (see `finished()`).
    public static func completion(of argv: [String], capture: Bool = true, directory: String? = nil) async throws -> Outcome {
        try await start(argv, capture: capture, directory: directory).finished()
    }

    /// Runs a program to its end.
    public static func run(_ argv: [String], capture: Bool = true, directory: String? = nil) throws -> Outcome {
        try start(argv, capture: capture, directory: directory).wait()
    }
}
