import BPMModel
import Foundation
import Logging

/// The outcome of deploying one watched file.
public struct DeploymentStatus: Sendable, Equatable {
    public enum State: String, Sendable { case deployed, invalid, removed }
    public var file: String
    public var state: State
    /// The content hash of the file as last read.
    public var contentHash: String
    /// The processes it deployed (id and version); for an invalid file, the ones still active
    /// from its last good content.
    public var definitions: [DefinitionVersion]
    /// The problems, as `file:line:col: error: message`.
    public var errors: [String]
    public var checkedAt: Date

    public struct DefinitionVersion: Sendable, Equatable {
        public var id: String
        public var version: Int
    }
}

/// Keeps a folder and the deployed definitions in step (GitOps): a new or changed file is
/// validated and, when valid, deployed as a new version; an invalid one is reported and the
/// last good version stays active; a removed file retires its definitions for new instances
/// while running ones finish on their version. Polls the folder (portable, and correct on
/// network and container file systems where change notifications are unreliable).
public actor DefinitionWatcher {
    let runtime: Runtime
    public let directory: String
    let logger: Logger
    /// Content hash of each file as last seen.
    var seen: [String: String] = [:]
    /// The definitions each file provides (from its last good content).
    var provided: [String: [DeploymentStatus.DefinitionVersion]] = [:]
    var task: Task<Void, Never>?

    public init(runtime: Runtime, directory: String, logger: Logger = Logger(label: "bpm.definitions")) {
        self.runtime = runtime
        self.directory = directory
        self.logger = logger
    }

    /// What one scan did.
    public struct ScanReport: Sendable, Equatable {
        public var deployed: [String] = []
        public var invalid: [String] = []
        public var removed: [String] = []
        public var unchanged = 0
    }

    /// Reads the folder once and acts on what changed since the last scan. The first scan
    /// also retires definitions whose file was removed while the engine was not running.
    @discardableResult
    public func scan() async -> ScanReport {
        var report = ScanReport()
        let first = seen.isEmpty && provided.isEmpty
        let files = DefinitionLoader.files(in: directory)
        // decisions first: processes deployed in the same scan may call them
        let ordered = files.filter { ["dmn"].contains(($0 as NSString).pathExtension.lowercased()) } + files.filter { ($0 as NSString).pathExtension.lowercased() != "dmn" }
        for file in ordered {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            guard let text = String(data: data, encoding: .utf8) else {
                await fail(file, hash: "", errors: ["\(file):1:1: error: not UTF-8 text"], report: &report)
                continue
            }
            let hash = DefinitionLoader.contentHash(text)
            if seen[file] == hash { report.unchanged += 1; continue }
            seen[file] = hash
            do {
                let deployed = try await runtime.deployDetailed(source: text, file: file)
                let versions = deployed.map { DeploymentStatus.DefinitionVersion(id: $0.definition.id, version: $0.version) }
                // ids the file no longer defines are retired
                for old in provided[file] ?? [] where !versions.contains(where: { $0.id == old.id }) {
                    try? await runtime.retire(old.id)
                    logger.info("retired \(old.id): \(file) no longer defines it")
                }
                provided[file] = versions
                await runtime.record(DeploymentStatus(file: file, state: .deployed, contentHash: hash, definitions: versions, errors: [], checkedAt: runtime.clock.now()))
                for d in deployed where d.created { logger.info("deployed \(d.definition.id) v\(d.version) from \(file)") }
                if deployed.isEmpty { logger.info("deployed decisions from \(file)") }
                report.deployed.append(file)
            } catch let e as DefinitionErrors {
                await fail(file, hash: hash, errors: e.errors.map(\.description), report: &report)
            } catch {
                await fail(file, hash: hash, errors: ["\(file):1:1: error: \(error)"], report: &report)
            }
        }
        for (file, _) in seen where !files.contains(file) {
            seen[file] = nil
            for d in provided[file] ?? [] {
                do { try await runtime.retire(d.id) } catch { logger.error("retiring \(d.id): \(error)") }
                logger.info("retired \(d.id) for new instances: \(file) was removed; running instances finish on v\(d.version)")
            }
            provided[file] = nil
            await runtime.record(DeploymentStatus(file: file, state: .removed, contentHash: "", definitions: [], errors: [], checkedAt: runtime.clock.now()))
            report.removed.append(file)
        }
        if first { await retireOrphans(files) }
        return report
    }

    func fail(_ file: String, hash: String, errors: [String], report: inout ScanReport) async {
        EngineMetrics.deploymentFailed()
        for e in errors { logger.error("\(e)") }
        logger.warning("\(file) not deployed; \(provided[file].map { "still active: " + $0.map { "\($0.id) v\($0.version)" }.joined(separator: ", ") } ?? "nothing deployed from it")")
        await runtime.record(DeploymentStatus(file: file, state: .invalid, contentHash: hash, definitions: provided[file] ?? [], errors: errors, checkedAt: runtime.clock.now()))
        report.invalid.append(file)
    }

    /// Definitions last deployed from a file of this folder that no longer exists.
    func retireOrphans(_ files: [String]) async {
        guard let records = try? await runtime.store.definitions() else { return }
        let dir = (directory as NSString).standardizingPath
        let present = Set(files.map { ($0 as NSString).standardizingPath })
        var latest: [String: String] = [:]
        for r in records { latest[r.id] = r.origin }  // oldest first: the last wins
        for (id, origin) in latest.sorted(by: { $0.key < $1.key }) {
            let path = (origin as NSString).standardizingPath
            guard (path as NSString).deletingLastPathComponent == dir, !present.contains(path), !id.hasPrefix("decision:") else { continue }
            do { try await runtime.retire(id) } catch { continue }
            logger.info("retired \(id) for new instances: its file \(origin) is gone")
        }
    }

    /// Scans every `interval` seconds until stopped.
    public func start(interval: Double) {
        task?.cancel()
        task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                guard let self, !Task.isCancelled else { return }
                await self.scan()
            }
        }
    }

    public func stop() {
        task?.cancel()
        task = nil
    }
}
