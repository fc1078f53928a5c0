import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Deploying, retiring and reading definitions (the runtime's registry of deployed versions).
extension Runtime {
    /// Deploys every executable process of a source (YAML or BPMN); identical content keeps
    /// its version. Nothing is deployed when any process of the source is invalid.
    @discardableResult
    public func deploy(source: String, file: String, origin: String? = nil) async throws -> [(ProcessDefinition, Int)] {
        try await deployDetailed(source: source, file: file, origin: origin).map { ($0.definition, $0.version) }
    }

    /// A deployed process and whether this deployment made its version (false: identical
    /// content was already the latest version).
    public struct Deployed: Sendable {
        public var definition: ProcessDefinition
        public var version: Int
        public var created: Bool
    }

    /// Deploys like `deploy` and tells which versions are new.
    public func deployDetailed(source: String, file: String, origin: String? = nil) async throws -> [Deployed] {
        if DefinitionLoader.isDecisionSource(source) {
            let model = try DecisionRegistry.parse(source: source, file: file)
            for d in model.decisions {
                _ = try await store.saveDefinition(id: "decision:" + d.id, name: d.name, format: DefinitionLoader.format(of: source), source: source,
                                                   contentHash: DefinitionLoader.contentHash(source), origin: origin ?? file, at: clock.now())
            }
            decisions.add(model)
            return []
        }
        let defs = try DefinitionLoader.parseAll(source: source, file: file).filter(\.isExecutable)
        guard !defs.isEmpty else {
            throw DefinitionErrors([DefinitionError("the file has no executable process (isExecutable=\"true\")", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        var out: [Deployed] = []
        var schedules = CommitBatch()
        for def in defs {
            out.append(try await save(def, source: source, origin: origin ?? file, schedules: &schedules))
        }
        try await store.commit(schedules)
        return out
    }

    /// Deploys a process already read (by a test or a tool), stored with `source`.
    @discardableResult
    public func install(_ def: ProcessDefinition, source: String = "") async throws -> Deployed {
        var schedules = CommitBatch()
        let d = try await save(def, source: source, origin: "(installed)", schedules: &schedules)
        try await store.commit(schedules)
        return d
    }

    /// Stores a version (identical content keeps its version) and makes it the latest; a new
    /// version takes over the timer start events: the old schedule ends, the new one begins.
    private func save(_ def: ProcessDefinition, source: String, origin: String, schedules: inout CommitBatch) async throws
        -> Deployed
    {
        let previous = registry.latest(def.id)
        let rec = try await store.saveDefinition(id: def.id, name: def.name, format: DefinitionLoader.format(of: source),
                                                 source: source, contentHash: DefinitionLoader.contentHash(source),
                                                 origin: origin, at: clock.now())
        let wasRetired = registry.retired.contains(def.id)
        registry.add(def, version: rec.version)
        EngineMetrics.deployed(def, version: rec.version)
        loadedVersions.insert(rec.versionKey)
        if let (old, oldVersion) = previous, oldVersion != rec.version {
            schedules.timersToDelete += old.timerStartEvents.map { StartTimers.id(old.id, oldVersion, $0.id) }
        }
        if schedulesEnabled { schedules.timersToEnsure += StartTimers.initial(def, version: rec.version, now: clock.now()) }
        return Deployed(definition: def, version: rec.version, created: previous?.1 != rec.version || wasRetired)
    }

    /// Retires a definition for new instances (its file was removed): no new instances from
    /// events, the API or its schedule; running ones finish on their version. Deploying it
    /// again brings it back.
    public func retire(_ id: String) async throws {
        guard let (def, version) = registry.latest(id), !registry.retired.contains(id) else { return }
        registry.retired.insert(id)
        var b = CommitBatch()
        b.timersToDelete = def.timerStartEvents.map { StartTimers.id(def.id, version, $0.id) }
        try await store.commit(b)
    }

    /// Definitions retired for new instances.
    public var retiredDefinitions: Set<String> { registry.retired }

    /// Records what the last deployment of a watched file gave (see `DefinitionWatcher`).
    public func record(_ status: DeploymentStatus) { deployments[status.file] = status }


    public func definition(_ id: String, version: Int? = nil) async -> (ProcessDefinition, Int)? {
        if let version {
            if let d = registry.definition(id, version: version) { return (d, version) }
            // deployed by another replica since this one last looked
            if store.sharedByReplicas { try? await loadDefinitions() }
            return registry.definition(id, version: version).map { ($0, version) }
        }
        if registry.latest(id) == nil, store.sharedByReplicas { try? await loadDefinitions() }
        return registry.latest(id)
    }

    /// Reads stored definition versions not yet in memory: at start, and on a store shared by
    /// replicas whenever another replica may have deployed one (every few seconds, and when
    /// an instance names a version this process has not seen).
    func loadDefinitions() async throws {
        housekeeping.definitionsRead(at: clock.now())
        for rec in try await store.definitions() where loadedVersions.insert(rec.versionKey).inserted {
            if DefinitionCatalog.isDecision(rec) {
                if let m = try? DecisionRegistry.parse(source: rec.source, file: rec.origin) { decisions.add(m) }
                continue
            }
            switch DefinitionCatalog.parseProcess(rec) {
            case .process(let def)?:
                registry.add(def, version: rec.version)
                EngineMetrics.deployed(def, version: rec.version)
            case .unreadable(let why)?: logger.error("\(why)")
            case nil: break
            }
        }
    }
}

/// Reading stored definition records: processes and decisions, each version once.
enum DefinitionCatalog {
    /// A stored process version, parsed.
    enum Parsed {
        case process(ProcessDefinition)
        /// Its source no longer parses (with the reason, for the log).
        case unreadable(String)
    }

    /// Whether a record holds decisions (a DMN model or a YAML rule set), not processes.
    static func isDecision(_ rec: DefinitionRecord) -> Bool { ["dmn", "rules"].contains(rec.format) }

    /// The process of a stored record; nil for decision records and forms (kept for Camunda's
    /// user tasks).
    static func parseProcess(_ rec: DefinitionRecord) -> Parsed? {
        guard !isDecision(rec), rec.format != "form" else { return nil }
        do {
            return .process(try DefinitionLoader.parse(source: rec.source, file: rec.origin, processId: rec.id))
        } catch {
            return .unreadable("stored definition \(rec.id) v\(rec.version) no longer parses: \(error)")
        }
    }
}

extension DefinitionRecord {
    /// The record's definition and version.
    var versionKey: DefinitionRegistry.VersionKey { DefinitionRegistry.VersionKey(id: id, version: version) }
}
