import BPMRuntime
import BPMServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// The router `bpm serve` builds, in process (HummingbirdTesting), over a runtime on a fresh SQLite store with
/// the API tokens given (one a line, as in a --auth-tokens file); no connectors, so service tasks are jobs for
/// external workers. `configure` adds to the server's options (limits, extra routes) before the router is built.
func withTestRouter(database: String, tokens: String,
                    configure: (inout BPMServer.Options, Runtime) -> Void = { _, _ in },
                    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws
{
    let (store, remove) = try await migratedStore("sqlite", database: database)
    defer { remove() }
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let runtime = Runtime(store: store, clock: ManualClock(), connectors: ConnectorRegistry(), logger: logger)
    try await runtime.start(timerLoop: false)
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("tokens")
    try tokens.write(to: file, atomically: true, encoding: .utf8)
    var auth = AuthSettings()
    auth.tokens = try AuthSettings.tokens(file: file.path)
    var options = BPMServer.Options(auth: auth)
    configure(&options, runtime)
    let app = Application(router: BPMServer.router(runtime: runtime, options: options))
    try await app.test(.router) { client in try await body(client) }
    await runtime.shutdown()
}
