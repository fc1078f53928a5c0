import BPMEngine
import BPMStore
import Foundation
import Hummingbird

/// Signing in to the web UI: with auth on, the browser signs in by pasting an API token or a
/// JWT, checked at once (a refused one is an error on the page) and then kept in an HttpOnly
/// cookie (`bpm_token`) that the server reads like a bearer token. Pages say who is signed in,
/// with which roles, and offer signing out; they offer only the actions the roles allow.
extension UI {
    static func loginRoutes(_ router: Router<BasicRequestContext>, auth: AuthSettings) {
        router.get("/ui/login") { _, _ in loginPage(auth: auth, error: nil) }
        router.post("/ui/login") { req, _ in
            let body = String(buffer: try await req.body.collect(upTo: 64 * 1024))
            let token = formValue(body, "token").trimmingCharacters(in: .whitespacesAndNewlines)
            guard auth.enabled else { return loginPage(auth: auth, error: nil) }
            guard !token.isEmpty else { return loginPage(auth: auth, error: "Paste an API token or a JWT to sign in.") }
            do { _ = try await auth.principal(token: token) } catch {
                return loginPage(auth: auth, error: "That token was refused: \(error).")
            }
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            var h = HTTPFields()
            h[.location] = "/"
            let value = token.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            h[.setCookie] = "bpm_token=\(value); Path=/; HttpOnly; SameSite=Strict"
            return Response(status: .seeOther, headers: h)
        }
        router.post("/ui/logout") { _, _ in
            var h = HTTPFields()
            h[.location] = "/ui/login"
            h[.setCookie] = "bpm_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return Response(status: .seeOther, headers: h)
        }
    }

    /// A field of an `application/x-www-form-urlencoded` body ("" when absent).
    static func formValue(_ body: String, _ name: String) -> String {
        let field = body.split(separator: "&").first { $0.hasPrefix("\(name)=") }
        let raw = field.map { String($0.dropFirst(name.count + 1)) }
        return raw?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    static func loginPage(auth: AuthSettings, error: String?) -> Response {
        let off = auth.enabled ? ""
            : "<p class=muted id=auth-off>Authentication is off on this server: no sign-in is needed.</p>"
        let problem = error.map { "<p class=error id=login-error role=alert>\(esc($0))</p>" } ?? ""
        return page("Sign in", """
        <h1>Sign in</h1>\(off)\(problem)
        <form method="post" action="/ui/login"><label>API token or JWT
        <input type="password" name="token" id="token" size="60" autofocus></label>
        <button type="submit" id="sign-in">Sign in</button></form>
        """, status: error == nil ? .ok : .unauthorized)
    }

    /// "signed in as NAME (roles)" and a sign-out button, when auth is on.
    static func signedIn() -> String {
        guard let caller = Auth.caller else { return "" }
        let roles = caller.roles.map(\.rawValue).sorted().joined(separator: ", ")
        return """
        <span class=who id=signed-in>signed in as <b>\(esc(caller.user))</b> (\(esc(roles)))\
        <form class=inline method=post action="/ui/logout"><button id=sign-out>sign out</button></form></span>
        """
    }

    /// Whether the signed-in caller has a role (always, with auth off).
    static func may(_ role: Role) -> Bool { Auth.caller?.has(role) ?? true }

    /// Whether the caller may claim or complete a task (always, with auth off).
    static func mayWork(on task: UserTaskRecord) -> Bool { Auth.caller?.mayWork(on: task) ?? true }
}
