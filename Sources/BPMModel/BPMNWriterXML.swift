/// A small XML tree for the BPMN writer: elements with attributes in the order given, text
/// (escaped, or a CDATA section), rendered with two-space indentation.
struct XMLNode {
    var name: String
    var attributes: [(String, String)] = []
    var children: [XMLNode] = []
    var text: String?
    /// Text written as a CDATA section (YAML kept verbatim), split where it holds `]]>`.
    var cdata = false

    init(_ name: String, _ attributes: [(String, String?)] = [], _ children: [XMLNode] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes.compactMap { k, v in v.map { (k, $0) } }
        self.children = children
        self.text = text
    }

    /// Text for an attribute value or character data: `&`, `<`, `>`, quotes, and the line breaks
    /// and tabs an attribute would otherwise lose (XML normalizes them to spaces).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    func render(into out: inout String, indent: Int = 0) {
        let pad = String(repeating: "  ", count: indent)
        out += pad + "<" + name
        for (k, v) in attributes { out += " \(k)=\"\(Self.escape(v))\"" }
        if children.isEmpty, text == nil {
            out += " />\n"
            return
        }
        out += ">"
        if let text {
            let split = text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
            out += cdata ? "<![CDATA[" + split + "]]>" : Self.escape(text)
        }
        if !children.isEmpty {
            out += "\n"
            for c in children { c.render(into: &out, indent: indent + 1) }
            out += pad
        }
        out += "</\(name)>\n"
    }
}
