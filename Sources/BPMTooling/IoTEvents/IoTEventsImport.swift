import BPMExpressions
import Foundation

/// `bpm import iot-events`: an AWS IoT Events detector model (the JSON of
/// `CreateDetectorModel` or `DescribeDetectorModel`) as a YAML process, one instance per
/// detector key. Everything the model says either becomes part of the process or is reported
/// with its JSON path (docs/iot-events.md has the mapping).
public enum IoTEventsImport {
    public struct Options: Sendable {
        /// The topic the input's messages arrive on (default: the input's name).
        public var topic: String?
        /// `mqtt` (default) or `kafka`.
        public var source = "mqtt"
        /// The URL the HTTP steps standing for `lambda` actions call.
        public var lambdaURL: String?
        /// How long a message that arrives while the detector is busy is kept for it.
        public var ttl = "1h"
        /// The process id (default: the detector model's name).
        public var processId: String?
        /// The input the process waits for when the model reads several.
        public var input: String?
        public init() {}
    }

    /// Something of the model the process does not do, at its JSON path.
    public struct Unmapped: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): not mapped: \(message)" }
    }

    public struct Output: Sendable {
        public var yaml: String
        public var unmapped: [Unmapped]
    }

    /// A file that is not a detector model: `file:line:col: message`.
    public struct ReadError: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(file):\(line):\(column): error: \(message)" }
    }

    public static func convert(text: String, file: String, options: Options = Options()) throws(ReadError) -> Output {
        let root: Value
        do { root = try JSON.parse(text) } catch {
            let (l, c) = position(of: error.offset, in: text)
            throw ReadError(file: file, line: l, column: c, message: "invalid JSON: \(error.message)")
        }
        var model = try DetectorModel(root, file: file)
        model.file = file
        var c = IoTEventsConverter(model: model, options: options)
        return c.run()
    }

    /// Line and column (from 1) of a character offset.
    static func position(of offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var col = 1
        for (i, ch) in text.utf8.enumerated() {
            if i >= offset { break }
            if ch == UInt8(ascii: "\n") { line += 1; col = 1 } else { col += 1 }
        }
        return (line, col)
    }
}

/// The parts of a detector model the converter reads, with the JSON paths they came from.
struct DetectorModel {
    var file = ""
    var name: String
    var description: String?
    var key: String?
    var keyPath = "$.key"
    var evaluationMethod: String?
    var definition: [String: Value]
    var definitionPath: String
    var unmapped: [IoTEventsImport.Unmapped] = []

    static let rootKeys: Set<String> = ["detectorModelName", "detectorModelDefinition", "detectorModelDescription",
        "key",
                                        "roleArn", "evaluationMethod", "tags", "detectorModelConfiguration"]
    static let configurationKeys: Set<String> = ["detectorModelName", "detectorModelVersion",
        "detectorModelDescription",
                                                 "detectorModelArn", "roleArn", "creationTime", "lastUpdateTime",
                                                 "status", "key", "evaluationMethod"]

    init(_ root: Value, file: String) throws(IoTEventsImport.ReadError) {
        func fail(_ m: String) -> IoTEventsImport.ReadError { .init(file: file, line: 1, column: 1, message: m) }
        guard var top = root.contextValue else { throw fail("a detector model is a JSON object") }
        var prefix = "$"
        if let wrapped = top["detectorModel"]?.contextValue {  // DescribeDetectorModel's answer
            top = wrapped
            prefix = "$.detectorModel"
        }
        if top["states"] != nil, top["detectorModelDefinition"] == nil {  // a bare definition
            top = ["detectorModelDefinition": .context(top)]
        }
        guard let def = top["detectorModelDefinition"]?.contextValue else {
            throw fail("no detectorModelDefinition (the JSON of CreateDetectorModel or DescribeDetectorModel)")
        }
        let conf = top["detectorModelConfiguration"]?.contextValue ?? [:]
        definition = def
        definitionPath = prefix + ".detectorModelDefinition"
        name = top["detectorModelName"]?.stringValue ?? conf["detectorModelName"]?.stringValue ?? "detector-model"
        description = top["detectorModelDescription"]?.stringValue ?? conf["detectorModelDescription"]?.stringValue
        key = top["key"]?.stringValue ?? conf["key"]?.stringValue
        keyPath = prefix + (top["key"] != nil ? ".key" : ".detectorModelConfiguration.key")
        evaluationMethod = top["evaluationMethod"]?.stringValue ?? conf["evaluationMethod"]?.stringValue
        for k in top.keys.sorted() where !Self.rootKeys.contains(k) {
            unmapped.append(.init(path: "\(prefix).\(k)", message: "unknown field"))
        }
        for k in conf.keys.sorted() where !Self.configurationKeys.contains(k) {
            unmapped.append(.init(path: "\(prefix).detectorModelConfiguration.\(k)", message: "unknown field"))
        }
        guard def["states"]?.listValue?.isEmpty == false else { throw fail("the detector model has no states") }
        guard def["initialStateName"]?.stringValue != nil else {
            throw fail("the detector model has no initialStateName")
        }
    }

    var states: [[String: Value]] { (definition["states"]?.listValue ?? []).map { $0.contextValue ?? [:] } }
    var initialState: String { definition["initialStateName"]?.stringValue ?? "" }

    /// Every string of the definition, for the scans that name inputs, members and variables.
    var allStrings: [String] {
        var out: [String] = []
        func walk(_ v: Value) {
            switch v {
            case .string(let s): out.append(s)
            case .list(let l): l.forEach(walk)
            case .context(let c): for k in c.keys.sorted() { walk(c[k] ?? .null) }
            default: break
            }
        }
        walk(.context(definition))
        return out
    }
}
