import BPMExpressions
import Foundation
import Testing

/// A small HTTP peer: answers 503 to the first request on /flaky, takes `s` seconds on
/// /slow?s=… (recorded on arrival), records every request (method, path, headers, body) and answers with JSON.
final class PeerServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let log: URL

    init(dir: URL) throws {
        log = dir.appendingPathComponent("requests.jsonl")
        let script = dir.appendingPathComponent("peer.py")
        try #"""
        import http.server, json, sys, threading, time, urllib.parse
        log, portfile, seen, lock = sys.argv[1], sys.argv[2], {}, threading.Lock()
        class H(http.server.BaseHTTPRequestHandler):
            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode() if n else ""
                url = urllib.parse.urlparse(self.path)
                with lock:
                    with open(log, "a") as f:
                        f.write(json.dumps({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                                            "key": self.headers.get("Idempotency-Key"), "body": body}) + "\n")
                    seen[self.path] = seen.get(self.path, 0) + 1
                if url.path == "/slow":
                    time.sleep(float(urllib.parse.parse_qs(url.query).get("s", ["1"])[0]))
                status = 503 if self.path == "/flaky" and seen[self.path] == 1 else 200
                out = json.dumps({"ok": status == 200, "devices": 3}).encode()
                self.send_response(status); self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
            do_GET = do_POST = do_PUT = handle_any
            def log_message(self, *a): pass
        http.server.ThreadingHTTPServer.daemon_threads = True
        http.server.ThreadingHTTPServer.request_queue_size = 256
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        open(portfile + ".tmp", "w").write(str(s.server_port))
        import os; os.rename(portfile + ".tmp", portfile)
        s.serve_forever()
        """#.write(to: script, atomically: true, encoding: .utf8)
        let portFile = dir.appendingPathComponent("port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, log.path, portFile.path]
        // no inherited pipes: a peer left running must not hold the test runner's output open
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var found: Int?
        let deadline = Date().addingTimeInterval(20)
        while found == nil, Date() < deadline, process.isRunning {
            found = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            if found == nil { Thread.sleep(forTimeInterval: 0.02) }  // waiting for another process to start
        }
        guard let p = found else {
            process.terminate()
            throw TestFailure("the peer server did not start")
        }
        port = p
    }

    var requests: [Value] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
    }

    /// SIGKILL: a child started from a test thread inherits its blocked signals, SIGTERM among them.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

@Suite(.serialized) struct HTTPConnectorTests {
    @Test(.timeLimit(.minutes(2))) func httpAndNotifyWithSecrets() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let peer = try PeerServer(dir: dir)
        defer { peer.stop() }
        let defs = try subfolder("defs", of: dir)
        try """
        id: provision
        activities:
          - id: register
            type: service
            action: http
            method: POST
            url: http://127.0.0.1:\(peer.port)/flaky
            headers:
              Authorization: "Bearer {{secrets.REGISTRY_TOKEN}}"
            body:
              device_id: ${device_id}
            backoff: 100ms
            result_variable: registration
          - id: tell
            type: service
            action: notify
            channel: admin
            message: "Device ${device_id} registered"
        """.write(to: defs.appendingPathComponent("provision.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                                environment: ["BPM_SECRET_REGISTRY_TOKEN": "s3cr3t", "BPM_NOTIFY_ADMIN_URL": "http://127.0.0.1:\(peer.port)/hooks/admin"])
        defer { server.kill(SIGTERM) }
        let started = try await http("POST", "\(server.base)/processes/provision/start", body: #"{"variables":{"device_id":"dev-9"}}"#)
        let id = try #require(started.body[member: "id"].stringValue)
        var status: Value = .null
        for _ in 0..<100 {
            status = try await http("GET", "\(server.base)/processes/\(id)").body
            if status[member: "status"] == "completed" { break }
            try await Task.sleep(nanoseconds: 50_000_000)  // the engine retries on its own wall clock
        }
        #expect(status[member: "status"] == "completed")
        #expect(status[member: "variables"][member: "registration"] == ["status": 200, "body": ["ok": true, "devices": 3]])
        let reqs = peer.requests
        #expect(reqs.filter { $0[member: "path"] == "/flaky" }.count == 2, "the 503 was retried")
        #expect(reqs.first?[member: "auth"] == "Bearer s3cr3t", "the secret is sent")
        #expect(Set(reqs.filter { $0[member: "path"] == "/flaky" }.compactMap { $0[member: "key"].stringValue }).count == 1, "retries reuse the idempotency key")
        #expect((try? JSON.parse(reqs.first?[member: "body"].stringValue ?? "")) == ["device_id": "dev-9"])
        let hook = try #require(reqs.first { $0[member: "path"] == "/hooks/admin" })
        #expect((try? JSON.parse(hook[member: "body"].stringValue ?? ""))?[member: "message"] == "Device dev-9 registered")
        // the secret is nowhere in what the engine keeps
        let history = try await http("GET", "\(server.base)/processes/\(id)/history")
        #expect(!history.text.contains("s3cr3t"))
        #expect(!JSON.encode(status).contains("s3cr3t"))
        let db = try String(decoding: Data(contentsOf: dir.appendingPathComponent("bpm.sqlite")), as: UTF8.self)
        #expect(!db.contains("s3cr3t"))
    }
}
