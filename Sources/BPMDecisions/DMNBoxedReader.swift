import BPMExpressions
import BPMModel

/// Boxed expressions (DMN 1.5 §7.2, §10.2) and item definitions (§7.3.2) of a DMN file.
extension DMNReader.Reader {
    /// A `typeRef`: FEEL's type grammar over the item definitions in scope; an unknown name is
    /// an error of the model (nil type, no check).
    mutating func typeRef(_ text: String?, _ e: XMLElement) -> FEELType? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if let t = FEELType.parse(text, types: types) { return t }
        // a qualified name of an imported item definition (`prefix.tType`)
        if let dot = text.firstIndex(of: "."), let m = imports[String(text[..<dot])],
            let t = m.types[String(text[text.index(after: dot)...])]
        {
            return t
        }
        // a QName (DMN 1.1 writes typeRef="ns1:tType"): its prefix names this model's namespace
        // or an imported model's
        if let colon = text.firstIndex(of: ":"), let uri = xmlPrefixes[String(text[..<colon])] {
            let local = String(text[text.index(after: colon)...])
            if uri == root.attributes["namespace"], let t = FEELType.parse(local, types: types) { return t }
            if let t = (available[uri] ?? imports.values.first { $0.namespace == uri })?.types[local] { return t }
        }
        fail("unknown type '\(text)' in typeRef of <\(e.name)> '\(e.attributes["name"] ?? "")'", e)
        return nil
    }

    /// Every item definition as a type; definitions may refer to each other in any order.
    mutating func readTypes() {
        var pending: [String: XMLElement] = [:]
        for d in root.children("itemDefinition") { if let n = d.attributes["name"] { pending[n] = d } }
        var visiting: Set<String> = []
        func resolve(_ name: String) {
            guard types[name] == nil, let d = pending[name], !visiting.contains(name) else { return }
            visiting.insert(name)
            // a definition refers to others by `<typeRef>`, a function item's `outputTypeRef` and
            // its parameters' `typeRef`, by name or inside a type expression (`list<tItem>`)
            var refs = d.descendants("typeRef").map(\.trimmedText)
            for f in d.descendants("functionItem") {
                let parameters = f.children("parameters").map { $0.attributes["typeRef"] }
                refs += ([f.attributes["outputTypeRef"]] + parameters).compactMap { $0 }
            }
            for ref in refs {
                for n in pending.keys.sorted() where n == ref || ref.contains(n) { resolve(n) }
            }
            types[name] = itemType(d, name: name)
        }
        for n in pending.keys.sorted() { resolve(n) }
    }

    mutating func itemType(_ d: XMLElement, name: String) -> FEELType {
        let collection = d.attributes["isCollection"] == "true"
        var base: FEELType = .any
        var components: [FEELType.ContextEntryType]?
        let parts = d.children("itemComponent")
        if !parts.isEmpty {
            var list: [FEELType.ContextEntryType] = []
            for c in parts {
                let n = c.attributes["name"] ?? "?"
                list.append(FEELType.ContextEntryType(name: n, type: itemType(c, name: n)))
            }
            components = list
        } else if let ref = d.child("typeRef")?.trimmedText, !ref.isEmpty {
            base = typeRef(ref, d) ?? .any
        } else if let f = d.child("functionItem") {
            let params = f.children("parameters").map { typeRef($0.attributes["typeRef"], $0) ?? .any }
            base = .function(parameters: params, result: typeRef(f.attributes["outputTypeRef"], f) ?? .any)
        }
        var allowed: UnaryTests?
        for tag in ["allowedValues", "typeConstraint"] {
            guard let text = d.child(tag)?.child("text")?.trimmedText, !text.isEmpty else { continue }
            do { allowed = try UnaryTests(text, names: names, types: types) } catch {
                fail("item definition '\(name)': invalid \(tag) '\(text)': \(error.message)", d)
            }
        }
        if components == nil, allowed == nil, !collection { return base }
        return .item(
            ItemType(name: name, base: base, isCollection: collection, allowedValues: allowed, components: components))
    }

    /// Refuses an expression whose `expressionLanguage` is not FEEL.
    mutating func checkLanguage(_ e: XMLElement) -> Bool {
        guard let l = e.attributes["expressionLanguage"], !Self.isFEEL(l) else { return true }
        fail("<\(e.name)> in expression language '\(l)' is not supported: this engine evaluates FEEL only", e)
        return false
    }

    mutating func expression(_ e: XMLElement?, _ where: String, line: Int) -> BoxedExpression {
        if let e, !checkLanguage(e) { return .invalid("\(file):\(line): \(`where`) is not FEEL") }
        let t = (e?.child("text")?.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return expression(text: t, `where`, line: line, element: e)
    }

    mutating func expression(text t: String, _ where: String, line: Int, element: XMLElement?) -> BoxedExpression {
        if t.hasPrefix("${") || t.hasPrefix("#{") {
            if let element { fail("\(`where`): '\(t)' is a JUEL expression, not FEEL", element) }
            return .invalid("\(file):\(line): \(`where`): '\(t)' is a JUEL expression, not FEEL")
        }
        do {
            return .literal(
                try Expression(t, names: names, functions: functions, types: types, dynamicCalls: true, strict: true))
        } catch {
            if error.message.contains("external"), let element { fail("\(`where`): \(error.message)", element) }
            if error.message.contains("is not FEEL"), let element {
                fail("\(`where`): invalid FEEL '\(t)': \(error.message)", element)
            }
            return .invalid("\(file): \(`where`): invalid FEEL '\(t)': \(error.message) at column \(error.column)")
        }
    }

    func child(_ e: XMLElement?) -> XMLElement? { e?.children.first { Self.expressionKinds.contains($0.name) } }

    mutating func boxedChild(_ e: XMLElement?, _ what: String, line: Int) -> BoxedExpression {
        guard let c = child(e) else { return .invalid("\(file):\(line): \(what) has no expression") }
        return boxed(c)
    }

    mutating func boxed(_ e: XMLElement) -> BoxedExpression {
        let inner = boxedUntyped(e)
        if e.name != "functionDefinition", let t = typeRef(e.attributes["typeRef"], e) { return .typed(inner, t) }
        return inner
    }

    mutating func boxedUntyped(_ e: XMLElement) -> BoxedExpression {
        switch e.name {
        case "literalExpression":
            return expression(e, "literal expression at line \(e.line)", line: e.line)
        case "decisionTable":
            return table(e)
        case "context":
            var entries: [(String, BoxedExpression)] = []
            var result: BoxedExpression?
            for entry in e.children("contextEntry") {
                guard let value = child(entry) else { continue }
                var v = boxed(value)
                if let variable = entry.child("variable"), let name = variable.attributes["name"] {
                    if let t = typeRef(variable.attributes["typeRef"], variable), !Self.isFunctionType(t) {
                        v = .typed(v, t)
                    }
                    entries.append((name, v))
                } else {
                    result = v
                }
            }
            return .context(entries, result: result)
        case "invocation":
            let fn = e.child("literalExpression")?.child("text")?.trimmedText ?? ""
            let bindings: [(String, BoxedExpression)] = e.children("binding").compactMap { b in
                guard let name = b.child("parameter")?.attributes["name"] else { return nil }
                return (name, child(b).map { boxed($0) } ?? .literal(try! Expression("null")))
            }
            return .invocation(function: fn, bindings: bindings)
        case "list":
            return .list(e.children.filter { Self.expressionKinds.contains($0.name) }.map { boxed($0) })
        case "relation":
            let cols = e.children("column").compactMap { $0.attributes["name"] }
            let rows = e.children("row").map { r in
                r.children.filter { Self.expressionKinds.contains($0.name) }.map { boxed($0) }
            }
            return .relation(columns: cols, rows: rows)
        case "functionDefinition":
            return function(e)
        case "conditional":
            return .conditional(
                boxedChild(e.child("if"), "<if>", line: e.line),
                then: boxedChild(e.child("then"), "<then>", line: e.line),
                else: boxedChild(e.child("else"), "<else>", line: e.line))
        case "filter":
            return .filter(
                boxedChild(e.child("in"), "<in>", line: e.line),
                match: boxedChild(e.child("match"), "<match>", line: e.line))
        case "for", "some", "every":
            let kind = BoxedExpression.Iteration(rawValue: e.name)!
            let body = kind == .for ? "return" : "satisfies"
            return .iterator(
                kind, variable: e.attributes["iteratorVariable"] ?? "item",
                in: boxedChild(e.child("in"), "<in>", line: e.line),
                body: boxedChild(e.child(body), "<\(body)>", line: e.line))
        default:
            return .invalid("\(file):\(e.line): '\(e.name)' boxed expressions are not supported yet")
        }
    }

    mutating func function(_ e: XMLElement) -> BoxedExpression {
        let kind = e.attributes["kind"] ?? "FEEL"
        guard kind.uppercased() == "FEEL" else {
            fail(
                "function definition of kind \(kind) is not supported: this engine runs FEEL functions only"
                    + " (\(kind == "Java" ? "no Java classes" : "no PMML models") are available)", e)
            return .invalid("\(file):\(e.line): '\(kind)' functions are not supported (FEEL functions are)")
        }
        let params = e.children("formalParameter")
        guard let body = child(e) else { return .invalid("\(file):\(e.line): a function definition without a body") }
        var b = boxed(body)
        let types = params.map { typeRef($0.attributes["typeRef"], $0) }
        if let t = typeRef(e.attributes["typeRef"], e), !Self.isFunctionType(t) { b = .typed(b, t) }
        return .function(parameters: params.compactMap { $0.attributes["name"] }, types: types, body: b)
    }
}
