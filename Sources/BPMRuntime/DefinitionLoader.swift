import BPMModel
import Foundation

/// Reads definition files (YAML today; BPMN XML joins through the same entry point).
public enum DefinitionLoader {
    /// File extensions read as definitions.
    public static let extensions = ["yaml", "yml"]

    /// Parses a definition's text; `file` names it in error messages.
    public static func parse(source: String, file: String) throws(DefinitionErrors) -> ProcessDefinition {
        try YAMLDefinitionReader.read(source: source, file: file)
    }

    /// Reads and parses a file.
    public static func load(path: String) throws(DefinitionErrors) -> (ProcessDefinition, String) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DefinitionErrors([DefinitionError("cannot read file (missing, unreadable or not UTF-8)", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return (try parse(source: text, file: path), text)
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
