import Foundation

/// Throwaway PostgreSQL servers for tests: Debian's PostgreSQL 15 (`initdb` into a temporary
/// folder, `pg_ctl` on a free loopback port, as the `postgres` user when running as root),
/// stopped when the test process exits — also when tests fail. `make test` additionally
/// stops any left behind by a crashed test process.
public final class TestPostgres: @unchecked Sendable {
    public let port: Int
    public let dir: String
    let bin: String
    private let lock = NSLock()
    private var counter = 0

    /// One server shared by the tests of this process, started on first use.
    public static let shared: Result<TestPostgres, any Error> = Result { try TestPostgres() }

    /// The shared server (throws when it cannot start, naming why).
    public static func server() throws -> TestPostgres { try shared.get() }

    static let registry = NSLock()
    nonisolated(unsafe) static var running: [TestPostgres] = []

    /// Starts a new server of its own (for tests that stop and restart it).
    public init() throws {
        guard let bin = Self.findBin() else { throw Failure("PostgreSQL 15 is not installed (apt-get install postgresql); make test installs it") }
        self.bin = bin
        port = try Self.freePort()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-pg-\(UUID().uuidString.prefix(8))").path
        dir = root
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        if getuid() == 0 { _ = try Self.run("/bin/chown", ["-R", "postgres:postgres", root]) }
        try asOwner("\(bin)/initdb", ["-D", root + "/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
        Self.registry.withLock {
            if Self.running.isEmpty { atexit { TestPostgres.stopAll() } }
            Self.running.append(self)
        }
        try start()
    }

    /// Starts (or starts again) the server.
    public func start() throws {
        // the server outlives pg_ctl: it must not inherit our pipes, or reading them never ends
        try asOwner(capture: false, "\(bin)/pg_ctl", ["-D", dir + "/data", "-l", dir + "/log", "-w", "-t", "60", "-o",
                                      "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                                      "start"])
    }

    /// Stops the server (fast shutdown: connections are closed).
    public func stop() throws {
        try asOwner("\(bin)/pg_ctl", ["-D", dir + "/data", "-w", "-m", "fast", "stop"])
    }

    /// Sends a signal to the server and its backends (SIGSTOP freezes it with every connection
    /// open, SIGCONT lets it go on).
    public func signal(_ sig: Int32) throws {
        let text = try String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8)
        guard let pid = Int32(text.split(separator: "\n").first ?? "") else { throw Failure("no postmaster pid in \(dir)/data/postmaster.pid") }
        let children = ((try? Self.run("/usr/bin/pgrep", ["-P", "\(pid)"])) ?? "").split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        if sig == SIGSTOP { kill(pid, sig) }
        for c in children { kill(c, sig) }
        if sig != SIGSTOP { kill(pid, sig) }
    }

    static func stopAll() {
        for s in running {
            _ = try? s.asOwner("\(s.bin)/pg_ctl", ["-D", s.dir + "/data", "-m", "immediate", "stop"])
            try? FileManager.default.removeItem(atPath: s.dir)
        }
    }

    /// A new, empty database on this server; returns its URL.
    public func createDatabase(_ prefix: String = "t") throws -> String {
        let name = lock.withLock { counter += 1; return "\(prefix)_\(counter)_\(UInt32.random(in: 0...UInt32.max))" }
        try asOwner("\(bin)/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return url(name)
    }

    public func url(_ database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Runs SQL with psql and returns its unaligned output.
    public func psql(_ database: String, _ sql: String) throws -> String {
        try asOwner("\(bin)/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-At", "-c", sql])
    }

    @discardableResult
    func asOwner(capture: Bool = true, _ exe: String, _ args: [String]) throws -> String {
        if getuid() == 0 { return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", exe] + args, capture: capture) }
        return try Self.run(exe, args, capture: capture)
    }

    static func findBin() -> String? {
        for v in ["15", "16", "17", "14"] where FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(v)/bin/initdb") {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        return nil
    }

    /// Runs a program and waits for it (see `Spawned`); throws when it fails. It runs in /tmp:
    /// as the postgres user it may not enter the folder the tests run in (a clone under a
    /// private temporary folder), and psql would say so in its output.
    static func run(_ exe: String, _ args: [String], capture: Bool = true) throws -> String {
        let r = try Spawned.run([exe] + args, capture: capture, directory: "/tmp")
        guard r.status == 0 else { throw Failure("\(exe) \(args.joined(separator: " ")) failed (status \(r.status)): \(r.output)") }
        return r.output
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw Failure("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }
}
