import Foundation

/// Each operation's `operationId` and tag, keyed by `method path` as in the document; the
/// served document carries them, with the tag list and `servers`.
extension OpenAPI {
    static let tags: [(name: String, description: String)] = [
        ("Operations", "Health, readiness and metrics"),
        ("Definitions", "Deployed process definitions, their versions and deployments"),
        ("Instances", "Starting, listing and acting on process instances"),
        ("Events", "Events, messages and signals that start or reach instances"),
        ("Decisions", "DMN decisions and rule sets"),
        ("Tasks", "User tasks: the inbox"),
        ("Jobs", "Jobs for external workers"),
        ("Incidents", "Incidents: failed steps waiting for an operator"),
        ("Clock", "The engine's clock, for tests (--clock-control)"),
    ]

    static let operations: [String: (id: String, tag: String)] = [
        "get /health/live": ("getLiveness", "Operations"),
        "get /health/ready": ("getReadiness", "Operations"),
        "get /metrics": ("getMetrics", "Operations"),
        "get /logs": ("listLogs", "Operations"),
        "get /definitions": ("listDefinitions", "Definitions"),
        "post /definitions": ("deployDefinition", "Definitions"),
        "get /definitions/{id}": ("getDefinition", "Definitions"),
        "get /definitions/{id}/versions": ("listDefinitionVersions", "Definitions"),
        "get /definitions/{id}/versions/{version}": ("getDefinitionVersion", "Definitions"),
        "get /definitions/{id}/versions/{version}/source": ("getDefinitionSource", "Definitions"),
        "get /definitions/{id}/diff": ("diffDefinitionVersions", "Definitions"),
        "get /deployments": ("listDeployments", "Definitions"),
        "get /backstage/catalog-info.yaml": ("getBackstageCatalog", "Definitions"),
        "get /processes": ("listInstances", "Instances"),
        "post /processes/{definitionId}/start": ("startInstance", "Instances"),
        "get /processes/{id}": ("getInstance", "Instances"),
        "get /processes/{id}/history": ("getInstanceHistory", "Instances"),
        "post /processes/{id}/cancel": ("cancelInstance", "Instances"),
        "post /processes/{id}/suspend": ("suspendInstance", "Instances"),
        "post /processes/{id}/resume": ("resumeInstance", "Instances"),
        "post /processes/{id}/migrate": ("migrateInstance", "Instances"),
        "post /processes/{id}/variables": ("setInstanceVariables", "Instances"),
        "post /batch/{operation}": ("runBatchOperation", "Instances"),
        "post /events": ("publishEvent", "Events"),
        "post /messages": ("publishMessage", "Events"),
        "post /signals": ("broadcastSignal", "Events"),
        "get /decisions": ("listDecisions", "Decisions"),
        "post /decisions/{id}/evaluate": ("evaluateDecision", "Decisions"),
        "get /tasks": ("listTasks", "Tasks"),
        "get /tasks/{id}": ("getTask", "Tasks"),
        "post /tasks/{id}/complete": ("completeTask", "Tasks"),
        "post /tasks/{id}/claim": ("claimTask", "Tasks"),
        "post /tasks/{id}/unclaim": ("unclaimTask", "Tasks"),
        "post /tasks/{id}/assign": ("assignTask", "Tasks"),
        "post /jobs/activate": ("activateJobs", "Jobs"),
        "post /jobs/{id}/complete": ("completeJob", "Jobs"),
        "post /jobs/{id}/fail": ("failJob", "Jobs"),
        "post /jobs/{id}/error": ("throwJobError", "Jobs"),
        "get /incidents": ("listIncidents", "Incidents"),
        "post /incidents/{id}/retry": ("retryIncident", "Incidents"),
        "post /incidents/{id}/resolve": ("resolveIncident", "Incidents"),
        "get /clock": ("getClock", "Clock"),
        "put /clock": ("pinClock", "Clock"),
        "post /clock/reset": ("resetClock", "Clock"),
    ]

    /// Adds `operationId`, `tags`, the tag list and `servers` (relative: the server the
    /// document was fetched from) to a parsed document.
    static func describeOperations(_ doc: inout [String: Any]) {
        guard var paths = doc["paths"] as? [String: Any] else { return }
        for (path, item) in paths {
            guard var ops = item as? [String: Any] else { continue }
            for (method, op) in ops {
                guard var op = op as? [String: Any] else { continue }
                let known = operations["\(method) \(path)"]
                op["operationId"] = known?.id ?? method + path.split(separator: "/").map { $0.capitalized }.joined()
                op["tags"] = [known?.tag ?? "Operations"]
                ops[method] = op
            }
            paths[path] = ops
        }
        doc["paths"] = paths
        doc["tags"] = tags.map { ["name": $0.name, "description": $0.description] }
        doc["servers"] = [["url": "/", "description": "this server"]]
    }
}
