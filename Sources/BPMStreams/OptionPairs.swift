/// `NAME=value` options (`--kafka-option`, `--mqtt-option`), read into properties.
public enum OptionPairs {
    /// An option that is not `NAME=value`.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The properties the items give (a later item wins).
    public static func parse(_ items: [String], option: String) throws(Malformed) -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw Malformed(description: "\(option) takes NAME=value, not '\(item)'")
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }
}
