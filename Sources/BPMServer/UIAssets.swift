import Foundation
import Hummingbird

/// Third-party browser code the editor uses when it is installed (scripts/install-deps.sh), served as files:
/// CodeMirror 5 from Debian's `libjs-codemirror` at `/ui/assets/codemirror/`, and the bpmn-js 9.0.3 modeler
/// (from the PyPI wheel of django-bpmn 0.0.4, extracted into `.build/bpmn-js/`) at `/ui/assets/bpmn-js/`.
enum UIAssets {
    /// An asset folder: where it is looked for, and how to install it when it is not there.
    struct Folder: Sendable {
        let name: String
        let candidates: [String]
        let probe: String
        let install: String

        /// The first candidate folder holding `probe`, or nil when the assets are not installed.
        var root: String? {
            candidates.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent(probe)) }
        }
    }

    static let codemirror = Folder(
        name: "codemirror", candidates: [ProcessInfo.processInfo.environment["BPM_CODEMIRROR_DIR"],
                                         "/usr/share/javascript/codemirror"].compactMap { $0 },
        probe: "lib/codemirror.js",
        install: "CodeMirror is not installed: <code>apt-get install libjs-codemirror</code> (or "
            + "<code>scripts/install-deps.sh</code>) gives a code editor with line numbers, highlighting and markers")

    static let bpmnJS = Folder(
        name: "bpmn-js", candidates: [ProcessInfo.processInfo.environment["BPM_BPMN_JS_DIR"]].compactMap { $0 }
            + buildFolders.map { ($0 as NSString).appendingPathComponent("bpmn-js") },
        probe: "js/bpmn-modeler.development.js",
        install: "The bpmn-js modeler is not installed: <code>scripts/install-deps.sh</code> extracts it from the PyPI "
            + "wheel of django-bpmn 0.0.4 into <code>.build/bpmn-js/</code>, where the server finds it")

    /// `.build` in the working directory and beside the running executable's build folders.
    static var buildFolders: [String] {
        var out = [(FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(".build")]
        var dir = (Bundle.main.executablePath.map { ($0 as NSString).resolvingSymlinksInPath } ?? "") as NSString
        for _ in 0..<4 where dir.length > 1 {
            dir = dir.deletingLastPathComponent as NSString
            if dir.lastPathComponent == ".build" { out.append(dir as String) }
        }
        return out
    }

    static let types = ["js": "text/javascript", "css": "text/css", "svg": "image/svg+xml", "woff": "font/woff",
                        "woff2": "font/woff2", "ttf": "font/ttf", "eot": "application/vnd.ms-fontobject"]

    /// Adds `GET /ui/assets/NAME/**` for both folders: 404 for a missing file or one outside the folder.
    static func routes(_ router: Router<BasicRequestContext>) {
        for folder in [codemirror, bpmnJS] {
            router.get("/ui/assets/\(folder.name)/**") { _, ctx in try serve(folder, ctx.parameters.getCatchAll()) }
        }
    }

    static func serve(_ folder: Folder, _ parts: [Substring]) throws -> Response {
        guard let root = folder.root else {
            throw Problem(.notFound, "not-installed", "Not installed",
                          "\(folder.name) is not installed: run scripts/install-deps.sh")
        }
        let ext = String(parts.last?.split(separator: ".").last ?? "")
        let path = ([root] + parts.map(String.init)).joined(separator: "/")
        guard !parts.contains(where: { $0 == ".." || $0.hasPrefix(".") }), let type = types[ext],
              let data = FileManager.default.contents(atPath: path)
        else {
            throw Problem(.notFound, "not-found", "Not found",
                          "no asset \(parts.joined(separator: "/")) in \(folder.name)")
        }
        var h = HTTPFields()
        h[.contentType] = type
        h[.cacheControl] = "max-age=3600"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
