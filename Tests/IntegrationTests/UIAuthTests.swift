import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// Signing in to the web UI tells: a refused token is an error on the page, pages say who is
/// signed in with which roles and offer signing out, and actions the roles do not allow are
/// not offered.
@Suite(.serialized) struct UIAuthTests {
    /// A POST with a form body through curl (no redirects followed, no cookie kept), with the
    /// response's head and body.
    static func postForm(_ url: String, _ form: String) async throws -> String {
        try await Spawned.completion(of: ["/usr/bin/curl", "-s", "-i", "--max-time", "10", "--data", form, url]).output
    }

    @Test func aWrongTokenIsRefusedOnThePageAndARightOneSetsTheCookie() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try AuthTests().server(dir)
        defer { s.kill(SIGTERM) }
        let wrong = try await Self.postForm("\(s.base)/ui/login", "token=not-a-token-of-this-server")
        #expect(wrong.hasPrefix("HTTP/1.1 401"), "\(wrong)")
        #expect(wrong.contains("id=login-error") && wrong.contains("That token was refused: unknown API token."))
        #expect(!wrong.lowercased().contains("set-cookie"), "a refused token is not kept")
        let empty = try await Self.postForm("\(s.base)/ui/login", "token=")
        #expect(empty.contains("Paste an API token or a JWT to sign in."))
        let right = try await Self.postForm("\(s.base)/ui/login", "token=viewer-token-0123456789abcdef")
        #expect(right.hasPrefix("HTTP/1.1 303"), "\(right)")
        #expect(right.contains("bpm_token=viewer-token-0123456789abcdef; Path=/; HttpOnly"))
        let out = try await Self.postForm("\(s.base)/ui/logout", "")
        #expect(out.hasPrefix("HTTP/1.1 303") && out.contains("bpm_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
    }

    @Test func pagesSayWhoIsSignedInAndOfferOnlyWhatTheRolesAllow() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try AuthTests().server(dir)
        defer { s.kill(SIGTERM) }
        let started = try await http("POST", "\(s.base)/processes/guarded/start", body: "{}", token: "operator-token-0123456789abcdef")
        let id = try #require(started.body[member: "id"].stringValue)
        let viewer = ["Cookie": "bpm_token=viewer-token-0123456789abcdef"]
        let operatorCookie = ["Cookie": "bpm_token=operator-token-0123456789abcdef"]
        let asViewer = try await http("GET", "\(s.base)/ui/instances/\(id)", headers: viewer)
        #expect(asViewer.text.contains("signed in as <b>vera</b> (viewer)") && asViewer.text.contains("id=sign-out"))
        #expect(!asViewer.text.contains(">suspend</button>") && !asViewer.text.contains(">cancel</button>"), "a viewer is not offered operator actions")
        let asOperator = try await http("GET", "\(s.base)/ui/instances/\(id)", headers: operatorCookie)
        #expect(asOperator.text.contains("signed in as <b>otto</b> (operator)"))
        #expect(asOperator.text.contains(">suspend</button>") && asOperator.text.contains(">cancel</button>"))
        // starting an instance is offered to operators only
        #expect(!(try await http("GET", "\(s.base)/ui/definitions/guarded", headers: viewer).text.contains("id=start-form")))
        #expect(try await http("GET", "\(s.base)/ui/definitions/guarded", headers: operatorCookie).text.contains("id=start-form"))
        #expect(try await http("GET", "\(s.base)/ui/incidents", headers: viewer).text.contains("<h1>Incidents</h1>"))
        // the finance task: vera (group finance) may work on it, olga (sales) is not offered it
        let olga = try await http("GET", "\(s.base)/ui/tasks", headers: ["Cookie": "bpm_token=other-token-0123456789abcdef"])
        #expect(olga.text.contains("you are not a candidate of this task") && !olga.text.contains(">complete</button>"))
        let vera = try await http("GET", "\(s.base)/ui/tasks", headers: viewer)
        #expect(vera.text.contains(">complete</button>") && vera.text.contains(">claim</button>"))
        // the sign-in page with auth off says so
        let open = try Server(store: dir.appendingPathComponent("open.sqlite"), definitions: try subfolder("none", of: dir))
        defer { open.kill(SIGTERM) }
        #expect(try await http("GET", "\(open.base)/ui/login").text.contains("Authentication is off on this server"))
        #expect(!(try await http("GET", "\(open.base)/").text.contains("signed in as")))
    }
}
