import BPMExpressions
import Foundation
import HummingbirdTesting
import Testing

/// The instance list's pages through the router: next and previous are keyset links (a cursor
/// at the page's last or first row) and a cursor that is not one is a problem.
extension OwnAPIRouterTests {
    func link(_ id: String, in page: String) -> String? {
        guard let r = page.range(of: "id=\(id) href=\""), let end = page[r.upperBound...].firstIndex(of: "\"") else {
            return nil
        }
        return String(page[r.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }

    func rows(_ page: String) -> [String] {
        page.components(separatedBy: "data-instance=\"").dropFirst()
            .compactMap { $0.split(separator: "\"").first.map(String.init) }
    }

    @Test func theInstanceListPagesByKeysetCursors() async throws {
        try await withRouter { client in
            _ = try await deployAndStart(client, 5)
            // the instances start at one instant of the manual clock: their ids break the tie
            let all = rows(try await call(client, .get, "/ui/instances?definitionId=order").text)
            #expect(all.count == 5)
            let first = try await call(client, .get, "/ui/instances?definitionId=order&limit=2").text
            #expect(rows(first) == Array(all[0..<2]))
            let next = try #require(link("next-page", in: first))
            #expect(next.contains("after=") && next.contains("offset=2"), "\(next)")
            let second = try await call(client, .get, next).text
            #expect(rows(second) == Array(all[2..<4]) && second.contains("instances 3–4"))
            let third = try await call(client, .get, try #require(link("next-page", in: second))).text
            #expect(rows(third) == [all[4]] && link("next-page", in: third) == nil)
            let back = try #require(link("previous-page", in: third))
            #expect(back.contains("before="), "\(back)")
            #expect(rows(try await call(client, .get, back).text) == Array(all[2..<4]), "a page back by its first row")
            let bad = try await call(client, .get, "/ui/instances?after=xyz")
            expectProblem(bad, 400, "invalid-parameter", detail: "'after' is not a cursor of this list")
        }
    }
}
