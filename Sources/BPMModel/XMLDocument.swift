import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element with its namespace, attributes, children and source position.
package final class XMLElement {
    package let name: String  // local name
    package let namespace: String
    package let attributes: [String: String]
    package var children: [XMLElement] = []
    package var text = ""
    package let line: Int
    package let column: Int
    package weak var parent: XMLElement?

    init(name: String, namespace: String, attributes: [String: String], line: Int, column: Int) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.line = line
        self.column = column
    }

    package func children(_ name: String, ns: String? = nil) -> [XMLElement] {
        children.filter { $0.name == name && (ns == nil || $0.namespace == ns) }
    }

    package func child(_ name: String, ns: String? = nil) -> XMLElement? { children.first { $0.name == name && (ns == nil || $0.namespace == ns) } }

    package func descendants(_ name: String, ns: String? = nil) -> [XMLElement] {
        var out: [XMLElement] = []
        for c in children {
            if c.name == name && (ns == nil || c.namespace == ns) { out.append(c) }
            out += c.descendants(name, ns: ns)
        }
        return out
    }

    package var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Reads XML with positions. External entities and DTDs are never resolved.
package enum XMLReader {
    package struct Failure: Error {
        package let message: String
        package let line: Int
        package let column: Int
    }

    package static func parse(_ text: String) throws(Failure) -> XMLElement {
        if let r = text.range(of: "<!DOCTYPE", options: .caseInsensitive) {
            let line = text[..<r.lowerBound].filter { $0 == "\n" }.count + 1
            throw Failure(message: "DOCTYPE declarations are not allowed (no DTDs or external entities)", line: line, column: 1)
        }
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let delegate = Delegate(parser: parser, lines: text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) })
        parser.delegate = delegate
        let ok = parser.parse()
        if let m = delegate.mismatch { throw m }
        // the parser on Linux may stop early without saying where: name the element left open
        if let open = delegate.stack.last {
            throw Failure(message: "XML syntax: element <\(open.name)> is never closed", line: open.line, column: open.column)
        }
        if !ok || delegate.root == nil || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? 0
            throw Failure(message: "XML syntax: malformed document (XML parser error \(code))", line: max(parser.lineNumber, 1), column: max(parser.columnNumber, 1))
        }
        return delegate.root!
    }

    final class Delegate: NSObject, XMLParserDelegate {
        let parser: XMLParser
        let lines: [[UInt8]]
        var root: XMLElement?
        var stack: [XMLElement] = []

        init(parser: XMLParser, lines: [[UInt8]]) {
            self.parser = parser
            self.lines = lines
        }

        /// The parser reports where a start tag ends; report where it begins (its `<`).
        func tagStart(line: Int, column: Int) -> (Int, Int) {
            var l = line - 1
            var c = min(column - 1, (l < lines.count ? lines[l].count : 0)) - 1
            while l >= 0, l < lines.count {
                while c >= 0 {
                    if lines[l][c] == UInt8(ascii: "<") { return (l + 1, c + 1) }
                    c -= 1
                }
                l -= 1
                if l >= 0 { c = lines[l].count - 1 }
            }
            return (line, column)
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:])
        {
            // attribute names may carry prefixes (xsi:type, zeebe:modelerTemplate); keep the local part too
            var attrs = attributeDict
            for (k, v) in attributeDict where k.contains(":") {
                let local = String(k.split(separator: ":").last!)
                if attrs[local] == nil { attrs[local] = v }
            }
            let (line, column) = tagStart(line: parser.lineNumber, column: parser.columnNumber)
            let e = XMLElement(name: elementName, namespace: namespaceURI ?? "", attributes: attrs, line: line, column: column)
            e.parent = stack.last
            stack.last?.children.append(e)
            if root == nil { root = e }
            stack.append(e)
        }

        var mismatch: Failure?

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let open = stack.popLast() else { return }
            if open.name != elementName || open.namespace != (namespaceURI ?? ""), mismatch == nil {
                mismatch = Failure(message: "XML syntax: </\(qName ?? elementName)> closes <\(open.name)> opened at line \(open.line)",
                                   line: parser.lineNumber, column: max(parser.columnNumber, 1))
                parser.abortParsing()
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { stack.last?.text += String(decoding: CDATABlock, as: UTF8.self) }
    }
}
