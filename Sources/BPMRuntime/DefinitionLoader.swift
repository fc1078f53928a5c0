import BPMDecisions
import BPMModel
import Foundation

/// Reads definition files: the YAML DSL and BPMN 2.0 XML, into the same model.
public enum DefinitionLoader {
    /// File extensions read as definitions.
    public static let extensions = ["yaml", "yml", "bpmn", "bpmn2", "dmn"]

    /// `bpmn` or `dmn` for XML sources, `rules` for YAML rule sets, `yaml` for processes.
    public static func format(of source: String) -> String {
        if source.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).hasPrefix("<") {
            return source.prefix(2000).contains("/DMN/") ? "dmn" : "bpmn"
        }
        return RuleSetReader.isRuleSet(source) ? "rules" : "yaml"
    }

    /// Whether a source holds decisions rather than processes.
    public static func isDecisionSource(_ source: String) -> Bool { ["dmn", "rules"].contains(format(of: source)) }

    /// Every process a source defines (a BPMN file may hold several pools); `file` names it in errors.
    public static func parseAll(source: String, file: String) throws(DefinitionErrors) -> [ProcessDefinition] {
        if format(of: source) == "bpmn" { return try BPMNDefinitionReader.read(source: source, file: file) }
        return [try YAMLDefinitionReader.read(source: source, file: file)]
    }

    /// The process `processId` of a source, or its first executable process.
    public static func parse(source: String, file: String, processId: String? = nil) throws(DefinitionErrors) -> ProcessDefinition {
        let all = try parseAll(source: source, file: file)
        if let processId {
            guard let d = all.first(where: { $0.id == processId }) else {
                throw DefinitionErrors([DefinitionError("no process '\(processId)' in the file (it has: \(all.map(\.id).joined(separator: ", ")))",
                                                        at: SourceLocation(file: file, line: 1, column: 1))])
            }
            return d
        }
        guard let d = all.first(where: \.isExecutable) ?? all.first else {
            throw DefinitionErrors([DefinitionError("the file defines no process", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        return d
    }

    /// Reads a file's text.
    public static func read(path: String) throws(DefinitionErrors) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DefinitionErrors([DefinitionError("cannot read file (missing, unreadable or not UTF-8)", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return text
    }

    /// Reads and parses a file.
    public static func load(path: String, processId: String? = nil) throws(DefinitionErrors) -> (ProcessDefinition, String) {
        let text = try read(path: path)
        return (try parse(source: text, file: path, processId: processId), text)
    }

    /// The definition files in a folder (not recursing into test files), sorted by name.
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { n in
            extensions.contains((n as NSString).pathExtension.lowercased()) && !n.contains(".test.")
        }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// A SHA-256 of the source text, to detect unchanged redeployments.
    public static func contentHash(_ source: String) -> String { SHA256.hex(source) }
}
