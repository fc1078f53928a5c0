import Foundation

/// The Markdown of form-js text components, as HTML: headings, bullet lists, paragraphs,
/// **bold**, *emphasis* and `code` (everything else is shown as text, escaped).
enum Markdown {
    static func html(_ source: String) -> String {
        var out = "", list = false, paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { out += "<p>" + paragraph.joined(separator: " ") + "</p>" }
            paragraph = []
        }
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let item = line.hasPrefix("- ") || line.hasPrefix("* ")
            if list, !item { out += "</ul>"; list = false }
            let hashes = line.prefix { $0 == "#" }.count
            if line.isEmpty {
                flush()
            } else if (1...6).contains(hashes), line.dropFirst(hashes).hasPrefix(" ") {
                flush()
                out += "<h\(hashes + 2)>\(inline(String(line.dropFirst(hashes + 1))))</h\(hashes + 2)>"
            } else if item {
                flush()
                if !list { out += "<ul>"; list = true }
                out += "<li>\(inline(String(line.dropFirst(2))))</li>"
            } else {
                paragraph.append(inline(line))
            }
        }
        flush()
        return out + (list ? "</ul>" : "")
    }

    /// Bold, emphasis and code spans of one escaped line.
    static func inline(_ text: String) -> String {
        var s = UI.esc(text)
        for (mark, tag) in [("**", "strong"), ("`", "code"), ("*", "em")] {
            let parts = s.components(separatedBy: mark)
            guard parts.count >= 3, parts.count % 2 == 1 else { continue }  // marks in pairs only
            s = ""
            for (i, p) in parts.enumerated() {
                s += (i == 0 ? "" : (i % 2 == 0 ? "</\(tag)>" : "<\(tag)>")) + p
            }
        }
        return s
    }
}
