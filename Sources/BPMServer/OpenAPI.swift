import Foundation

/// The OpenAPI 3.1 document served at `/openapi.json`.
enum OpenAPI {
    /// The document as served: `document` with, on every operation, the errors any route of
    /// its kind can answer (so clients and schemathesis see every status the server uses):
    /// 401/403 where a token is needed, 400 where it takes parameters or a body, 404 where
    /// the path names something, 413/415 for bodies, 503 when the store is unavailable.
    static let served: String = {
        guard var doc = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) as? [String: Any],
              var paths = doc["paths"] as? [String: Any] else { return document }
        let problem: [String: Any] = ["$ref": "#/components/responses/Problem"]
        for (path, item) in paths {
            guard var ops = item as? [String: Any] else { continue }
            for (method, op) in ops {
                guard var op = op as? [String: Any], var responses = op["responses"] as? [String: Any] else { continue }
                // integers in the URL are 64-bit: say so, so clients do not send larger ones
                if let parameters = op["parameters"] as? [[String: Any]] {
                    op["parameters"] = parameters.map { p -> [String: Any] in
                        guard var schema = p["schema"] as? [String: Any], schema["type"] as? String == "integer" else { return p }
                        if schema["maximum"] == nil { schema["maximum"] = Int64.max }
                        if schema["minimum"] == nil { schema["minimum"] = Int64.min }
                        var p = p
                        p["schema"] = schema
                        return p
                    }
                }
                var codes: [String] = []
                let open = (op["security"] as? [Any])?.isEmpty == true
                if !open { codes += ["401", "403", "503"] }
                if op["parameters"] != nil || op["requestBody"] != nil { codes.append("400") }
                if path.contains("{") { codes.append("404") }
                if op["requestBody"] != nil { codes += ["413", "415"] }
                for c in codes where responses[c] == nil { responses[c] = problem }
                op["responses"] = responses
                ops[method] = op
            }
            paths[path] = ops
        }
        doc["paths"] = paths
        describeOperations(&doc)
        guard let data = try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return document }
        return String(decoding: data, as: UTF8.self)
    }()

    /// Each documented path's segments and methods, to tell a wrong method (405) from a
    /// missing route (404).
    static let routes: [(segments: [Substring], methods: [String])] = {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) as? [String: Any],
              let paths = doc["paths"] as? [String: [String: Any]] else { return [] }
        return paths.map { ($0.key.split(separator: "/"), $0.value.keys.map { $0.uppercased() }.sorted()) }
    }()

    /// The methods documented for a concrete path, or nil when no documented path matches it.
    static func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        var found: [String] = []
        for r in routes where r.segments.count == parts.count {
            if zip(r.segments, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { found += r.methods }
        }
        return found.isEmpty ? nil : Array(Set(found)).sorted()
    }

    static let document = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "swift-bpm", "version": "0.1.0", "description": "Process engine API: definitions, instances, events, user tasks, incidents. Errors are RFC 9457 problem details. With authentication configured (bpm serve --auth-tokens, --jwt-secret, --jwt-public-key), every path but /health/* and /openapi.json needs a bearer token (an API token or a JWT) and a role: GET needs viewer; POST /definitions needs admin; POST /jobs/* needs worker (of the job's type); POST /tasks/{id}/claim|unclaim|complete needs viewer and being the task's assignee or a candidate; every other POST needs operator (admin includes operator, operator includes viewer). 401 without valid credentials, 403 without the role."},
      "security": [{"bearer": []}],
      "paths": {
        "/health/live": {"get": {"security": [], "summary": "Liveness", "responses": {"200": {"description": "alive", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics (text exposition format): instances, elements, tasks, incidents, jobs, timers, events, store", "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/health/ready": {"get": {"security": [], "summary": "Readiness: the store answers", "responses": {"200": {"description": "ready", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/definitions": {
          "get": {"summary": "Deployed definitions (latest version of each)", "responses": {"200": {"description": "definitions", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Definition"}}}}}}},
          "post": {"summary": "Deploy a definition: YAML, BPMN 2.0 XML, DMN or a YAML rule set (identical content keeps its version)",
                   "parameters": [{"name": "file", "in": "query", "description": "the file name, used in error locations and recorded with the version", "schema": {"type": "string"}},
                                  {"name": "deployedBy", "in": "query", "description": "who deploys (also the X-Deployed-By header), recorded with the version", "schema": {"type": "string"}}],
                   "requestBody": {"required": true, "content": {"application/yaml": {"schema": {"type": "string"}}, "application/xml": {"schema": {"type": "string"}}}},
                   "responses": {"201": {"description": "a new version was deployed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Definition"}}}},
                                 "200": {"description": "the content was already the latest version (created: false)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Definition"}}}},
                                 "400": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}
        },
        "/definitions/{id}/versions": {"get": {"summary": "Every deployed version of a definition, oldest first, with content hash, time and origin (file, or who deployed it through the API)", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "versions", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/DefinitionVersion"}}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/definitions/{id}/versions/{version}": {"get": {"summary": "One version with its source", "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
          "responses": {"200": {"description": "version", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DefinitionVersion"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/definitions/{id}/versions/{version}/source": {"get": {"summary": "A version's source exactly as deployed", "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
          "responses": {"200": {"description": "source (a YAML document, or BPMN/DMN XML text)", "content": {"application/yaml": {"schema": {}}, "application/xml": {"schema": {"type": "string"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/definitions/{id}/diff": {"get": {"summary": "Structural difference between two versions: elements and flows added, removed, changed", "parameters": [{"$ref": "#/components/parameters/id"},
            {"name": "from", "in": "query", "description": "default: the version before 'to'", "schema": {"type": "integer", "minimum": 1}}, {"name": "to", "in": "query", "description": "default: the latest", "schema": {"type": "integer", "minimum": 1}}],
          "responses": {"200": {"description": "difference", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DefinitionDiff"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/deployments": {"get": {"summary": "Each file of the watched definitions folder and what its last deployment gave (deployed, invalid with its errors, removed)",
          "responses": {"200": {"description": "files", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "required": ["file", "state"], "properties": {
            "file": {"type": "string"}, "state": {"type": "string", "enum": ["deployed", "invalid", "removed"]}, "contentHash": {"type": "string"}, "checkedAt": {"type": "string", "format": "date-time"},
            "definitions": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "integer"}}}}, "errors": {"type": "array", "items": {"type": "string"}}}}}}}}}}},
        "/backstage/catalog-info.yaml": {"get": {"summary": "The deployed processes as Backstage catalog entities (one Component of type business-process each, and the API entity)",
          "responses": {"200": {"description": "multi-document YAML", "content": {"application/yaml": {"schema": {"type": "string"}}}}}}},
        "/definitions/{id}": {"get": {"summary": "One definition with its resolved flow", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "definition", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Definition"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes": {"get": {"summary": "List instances, newest first", "parameters": [
            {"name": "definitionId", "in": "query", "schema": {"type": "string"}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["running", "completed", "failed", "terminated", "suspended"]}},
            {"name": "correlationKey", "in": "query", "schema": {"type": "string"}},
            {"name": "businessKey", "in": "query", "schema": {"type": "string"}},
            {"name": "definitionVersion", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "startedAfter", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "startedBefore", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "var", "in": "query", "style": "deepObject", "explode": true, "description": "var[NAME]=VALUE (or var.NAME=VALUE): instances whose top-level variable NAME has VALUE (JSON, or text); a nested name (var[a][b]) is refused", "schema": {"type": "object", "propertyNames": {"pattern": "^[^\\[\\]]*$"}, "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}},
            {"name": "sort", "in": "query", "description": "started (the default), ended, definition or businessKey; instances without the value last", "schema": {"type": "string", "enum": ["started", "ended", "definition", "businessKey"]}},
            {"name": "order", "in": "query", "description": "desc (the default: newest first) or asc", "schema": {"type": "string", "enum": ["asc", "desc"]}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 50}},
            {"name": "offset", "in": "query", "description": "instances to skip: page with limit and offset", "schema": {"type": "integer", "minimum": 0, "default": 0}}],
          "responses": {"200": {"description": "page of instances", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/InstanceSummary"}}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{definitionId}/start": {"post": {"summary": "Start an instance of the latest version", "parameters": [{"name": "definitionId", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "Idempotency-Key", "in": "header", "required": false, "description": "the same key answers the same status and body again (header Idempotent-Replayed: true), across restarts; a key used for another definition is refused with 422", "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}, "businessKey": {"type": ["string", "null"]}}}}}},
          "responses": {"201": {"description": "started; the state after running to its first wait", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "200": {"description": "the definition is unique per business key (unique: correlate) and an instance runs for it: that instance, its variables refreshed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"description": "the definition is retired, or unique per business key (unique: refuse) and an instance runs for it: the problem's instanceId names it", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}, "422": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}": {"get": {"summary": "Instance status, variables and where it waits", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/history": {"get": {"summary": "Execution history, oldest first", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "history", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/cancel": {"post": {"summary": "Cancel a running instance", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": ["string", "null"]}}}}}},
          "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/suspend": {"post": {"summary": "Suspend a running instance: timers, job results, events and messages are held until it resumes", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "suspended", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/resume": {"post": {"summary": "Resume a suspended instance; held arrivals are applied in order", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "resumed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/batch/{operation}": {"post": {"summary": "Cancel, suspend, resume, migrate, or retry the incidents of, every instance matching a filter (at most 10,000 a call)",
          "parameters": [{"name": "operation", "in": "path", "required": true, "schema": {"type": "string", "enum": ["cancel", "suspend", "resume", "retry", "migrate"]}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["filter"], "properties": {"filter": {"type": "object", "minProperties": 1, "additionalProperties": false, "description": "at least one of these", "properties": {"definitionId": {"type": "string"}, "status": {"type": "string", "enum": ["running", "completed", "failed", "terminated", "suspended"]}, "correlationKey": {"type": "string"}, "businessKey": {"type": "string"}}}, "reason": {"type": ["string", "null"]}, "targetVersion": {"type": "integer", "minimum": 1, "maximum": 2147483647}}}}}},
          "responses": {"200": {"description": "what was done", "content": {"application/json": {"schema": {"type": "object", "properties": {"matched": {"type": "integer"}, "applied": {"type": "integer"}, "failures": {"type": "array", "items": {"type": "object"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/migrate": {"post": {"summary": "Move a running instance to another version of its definition when every element it is at exists there as the same kind", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"targetVersion": {"type": "integer", "minimum": 1, "maximum": 2147483647, "description": "default: the latest version"}}}}}},
          "responses": {"200": {"description": "migrated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/variables": {"post": {"summary": "Set variables of a running instance", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/events": {"post": {"summary": "Deliver an event: refreshes the running instance for its correlation key, or starts one when the trigger condition holds",
          "parameters": [{"name": "topic", "in": "query", "schema": {"type": "string"}}, {"name": "definitionId", "in": "query", "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "description": "{topic|definitionId, payload, variables?} or the event itself with ?topic=; variables (in the envelope) are added to an instance the event starts", "properties": {"topic": {"type": ["string", "null"]}, "definitionId": {"type": ["string", "null"]}, "payload": {}, "variables": {"type": "object"}}}}}},
          "responses": {"422": {"$ref": "#/components/responses/Problem"}, "200": {"description": "what the event did per definition", "content": {"application/json": {"schema": {"type": "object", "properties": {"outcomes": {"type": "array", "items": {"$ref": "#/components/schemas/EventOutcome"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/messages": {"post": {"summary": "Publish a message: correlated to the oldest subscription with its name and correlation key, or starting instances with a matching message start event, or kept for timeToLive",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}, "correlationKey": {"type": ["string", "number", "null"]}, "variables": {"type": "object"}, "timeToLive": {"type": ["string", "number", "null"], "description": "ISO 8601 or short duration, or seconds"}}}}}},
          "responses": {"200": {"description": "what the message did", "content": {"application/json": {"schema": {"type": "object", "properties": {"outcome": {"type": "string", "enum": ["correlated", "started", "buffered", "dropped"]}, "instanceId": {"type": "string"}, "instanceIds": {"type": "array", "items": {"type": "string"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
        "/signals": {"post": {"summary": "Broadcast a signal: every instance waiting for it continues; processes with a signal start event of its name start",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}, "variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "how many instances were reached, and which started", "content": {"application/json": {"schema": {"type": "object", "properties": {"correlated": {"type": "integer"}, "instanceIds": {"type": "array", "items": {"type": "string"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/decisions": {"get": {"summary": "Deployed decisions (ids and names)", "responses": {"200": {"description": "decisions", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}},
        "/decisions/{id}/evaluate": {"post": {"summary": "Evaluate a decision over the given inputs", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "the result", "content": {"application/json": {"schema": {"type": "object", "properties": {"result": {}}}}}}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks": {"get": {"summary": "User tasks, highest priority first", "parameters": [
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "completed", "cancelled", "all"], "default": "open"}},
            {"name": "assignee", "in": "query", "schema": {"type": "string"}}, {"name": "candidateGroup", "in": "query", "schema": {"type": "string"}},
            {"name": "instanceId", "in": "query", "schema": {"type": "string"}}, {"name": "definitionId", "in": "query", "schema": {"type": "string"}},
            {"name": "minPriority", "in": "query", "schema": {"type": "integer"}},
            {"name": "dueBefore", "in": "query", "schema": {"type": "string", "format": "date-time"}}, {"name": "dueAfter", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "followUpBefore", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["priority", "created", "due", "followUp"], "default": "priority"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 50}}, {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
          "responses": {"200": {"description": "tasks", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks/{id}": {"get": {"summary": "One user task", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "task", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks/{id}/complete": {"post": {"summary": "Complete a user task with variables", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "the instance after completion", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks/{id}/claim": {"post": {"summary": "Claim an open, unassigned task", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["user"], "properties": {"user": {"type": "string"}}}}}},
          "responses": {"200": {"description": "the task", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks/{id}/unclaim": {"post": {"summary": "Clear a task's assignee", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "the task", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks/{id}/assign": {"post": {"summary": "Assign a task to a user", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["assignee"], "properties": {"assignee": {"type": "string"}}}}}},
          "responses": {"200": {"description": "the task", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/jobs/activate": {"post": {"summary": "Lock jobs of a type for a worker, waiting up to requestTimeout ms for one (long poll); oldest first; expired locks make jobs available again",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "minLength": 1}, "worker": {"type": ["string", "null"]}, "maxJobsToActivate": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000}, "timeout": {"type": ["integer", "null"], "minimum": 1, "description": "lock, ms"}, "requestTimeout": {"type": ["integer", "null"], "minimum": 0, "maximum": 120000}}}}}},
          "responses": {"200": {"description": "activated jobs", "content": {"application/json": {"schema": {"type": "object", "properties": {"jobs": {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "string"}, "type": {"type": "string"}, "processInstanceKey": {"type": "string"}, "bpmnProcessId": {"type": "string"}, "elementId": {"type": "string"}, "attempt": {"type": "integer"}, "variables": {"type": "object"}, "customHeaders": {"type": "object"}, "deadline": {"type": "string", "format": "date-time"}}}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/jobs/{id}/complete": {"post": {"summary": "Complete a job with variables; the job of an ad-hoc sub-process's job worker may carry a result that activates its inner elements (docs/bpmn.md)", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"},
            "result": {"type": ["object", "null"], "additionalProperties": false, "properties": {"type": {"type": "string", "enum": ["adHocSubProcess"]},
              "activateElements": {"type": "array", "items": {"type": "object", "required": ["elementId"], "properties": {"elementId": {"type": "string", "minLength": 1}, "variables": {"type": ["object", "null"]}}}},
              "isCompletionConditionFulfilled": {"type": "boolean"}, "isCancelRemainingInstances": {"type": "boolean"}}}}}}}},
          "responses": {"200": {"description": "the instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/jobs/{id}/fail": {"post": {"summary": "Fail a job: with retries left it is retried after the task's backoff, else an incident", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"retries": {"type": "integer"}, "errorMessage": {"type": ["string", "null"]}}}}}},
          "responses": {"200": {"description": "the instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/jobs/{id}/error": {"post": {"summary": "Throw a BPMN error from a job (caught by an error boundary event)", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["errorCode"], "properties": {"errorCode": {"type": "string", "minLength": 1}, "errorMessage": {"type": ["string", "null"]}}}}}},
          "responses": {"200": {"description": "the instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/incidents": {"get": {"summary": "Incidents (open by default), oldest first", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "all"]}}, {"name": "instanceId", "in": "query", "schema": {"type": "string"}},
            {"name": "definitionId", "in": "query", "description": "incidents of instances of this definition", "schema": {"type": "string"}},
            {"name": "elementId", "in": "query", "description": "incidents at this element", "schema": {"type": "string"}},
            {"name": "message", "in": "query", "description": "incidents whose message contains this text (ignoring case)", "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 1000}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}],
          "responses": {"200": {"description": "incidents", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/incidents/{id}/retry": {"post": {"summary": "Retry an incident after fixing its cause", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "the instance after the retry", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/incidents/{id}/resolve": {"post": {"summary": "Resolve an incident without a retry: the variables stand in for the failed step's result and the path moves on", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "the instance after the step", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/logs": {"get": {"summary": "Messages written by the database_log action", "parameters": [{"name": "instanceId", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "logs", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}}}}}}},
        "/clock": {"get": {"summary": "The engine's time, and whether it is pinned (bpm serve --clock-control lets tests pin it)", "responses": {"200": {"description": "the clock", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clock"}}}}}},
          "put": {"summary": "Pin the engine's clock (only with --clock-control; admin): it stands still at the timestamp, and timers due by then fire at once",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["timestamp"], "properties": {"timestamp": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "number", "description": "milliseconds since the epoch"}]}}}}}},
            "responses": {"200": {"description": "the clock", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clock"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}},
        "/clock/reset": {"post": {"summary": "Let a pinned clock follow the wall clock again (only with --clock-control; admin)",
          "responses": {"200": {"description": "the clock", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clock"}}}}, "403": {"$ref": "#/components/responses/Problem"}}}}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token from --auth-tokens, or a JWT (HS256/RS256) with claims sub, exp, roles, groups, job_types"}},
        "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
        "responses": {"Problem": {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        "schemas": {
          "Clock": {"type": "object", "required": ["now", "pinned", "controlled"], "properties": {"now": {"type": "string", "format": "date-time"}, "pinned": {"type": "boolean"}, "controlled": {"type": "boolean"}}},
          "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}, "instanceId": {"type": "string", "description": "already-running: the instance running for the business key"}, "instanceIds": {"type": "array", "items": {"type": "string"}, "description": "too-many-running: the instances running for the business key"}, "businessKey": {"type": "string"}}},
          "Definition": {"type": "object", "required": ["id", "name", "version"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}, "versionLabel": {"type": "string"}, "elements": {"type": "integer"}, "trigger": {"type": "object"}, "correlationKey": {"type": "string"}, "flow": {"type": "string"}, "elementIds": {"type": "array", "items": {"type": "string"}}, "retired": {"type": "boolean"}, "created": {"type": "boolean"}, "deployed": {"type": "array", "items": {"type": "object"}}}},
          "DefinitionVersion": {"type": "object", "required": ["id", "version", "contentHash", "deployedAt", "origin", "latest"], "properties": {"id": {"type": "string"}, "version": {"type": "integer"}, "name": {"type": "string"}, "format": {"type": "string", "enum": ["yaml", "bpmn", "dmn", "rules"]}, "contentHash": {"type": "string"}, "deployedAt": {"type": "string", "format": "date-time"}, "origin": {"type": "string"}, "latest": {"type": "boolean"}, "retired": {"type": "boolean"}, "source": {"type": "string"}}},
          "DefinitionDiff": {"type": "object", "required": ["identical", "elements", "flows", "process"], "properties": {"id": {"type": "string"}, "from": {"type": "integer"}, "to": {"type": "integer"}, "identical": {"type": "boolean"},
            "process": {"type": "object", "properties": {"changes": {"type": "array", "items": {"type": "string"}}}},
            "elements": {"type": "object", "properties": {"added": {"type": "array", "items": {"type": "object"}}, "removed": {"type": "array", "items": {"type": "object"}}, "changed": {"type": "array", "items": {"type": "object"}}}},
            "flows": {"type": "object", "properties": {"added": {"type": "array", "items": {"type": "object"}}, "removed": {"type": "array", "items": {"type": "object"}}, "changed": {"type": "array", "items": {"type": "object"}}}}}},
          "Instance": {"type": "object", "required": ["id", "definitionId", "definitionVersion", "status", "variables", "currentActivities", "startedAt"], "properties": {
            "id": {"type": "string"}, "definitionId": {"type": "string"}, "definitionVersion": {"type": "integer"},
            "status": {"type": "string", "enum": ["running", "completed", "failed", "terminated", "suspended"]}, "variables": {"type": "object"},
            "currentActivities": {"type": "array", "items": {"type": "string"}}, "waitingAt": {"type": "array", "items": {"type": "object", "properties": {"elementId": {"type": "string"}, "waitingFor": {"type": "string"}}}},
            "incidents": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "correlationKey": {"type": "string"}, "businessKey": {"type": ["string", "null"]},
            "startedAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}, "error": {"type": "object"}}},
          "InstanceSummary": {"type": "object", "required": ["id", "definitionId", "status", "startedAt"], "properties": {"id": {"type": "string"}, "definitionId": {"type": "string"}, "definitionVersion": {"type": "integer"}, "status": {"type": "string"}, "currentActivities": {"type": "array", "items": {"type": "string"}}, "correlationKey": {"type": "string"}, "businessKey": {"type": ["string", "null"]}, "startedAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}}},
          "HistoryEntry": {"type": "object", "required": ["elementId", "elementType", "event", "at"], "properties": {"elementId": {"type": "string"}, "elementType": {"type": "string"}, "event": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "data": {}, "elementInstanceId": {"type": "string", "description": "which activation of the element: a multi-instance body (elementType multiInstanceBody) and each of its instances have their own"}}},
          "EventOutcome": {"type": "object", "required": ["definitionId", "action"], "properties": {"definitionId": {"type": "string"}, "action": {"type": "string", "enum": ["started", "correlated", "buffered", "ignored"]}, "instanceId": {"type": "string"}, "correlationKey": {"type": "string"}, "reason": {"type": ["string", "null"]}}},
          "Task": {"type": "object", "required": ["id", "instanceId", "elementId", "status"], "properties": {"id": {"type": "string"}, "instanceId": {"type": "string"}, "definitionId": {"type": "string"}, "elementId": {"type": "string"}, "name": {"type": "string"}, "assignee": {"type": "string"}, "candidateUsers": {"type": "array", "items": {"type": "string"}}, "candidateGroups": {"type": "array", "items": {"type": "string"}}, "priority": {"type": "integer"}, "form": {}, "status": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}}},
          "Incident": {"type": "object", "required": ["id", "instanceId", "elementId", "type", "message"], "properties": {"id": {"type": "string"}, "instanceId": {"type": "string"}, "elementId": {"type": "string"}, "type": {"type": "string"}, "message": {"type": "string"}, "jobId": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "status": {"type": "string"}, "resolvedAt": {"type": "string", "format": "date-time"}}}
        }
      }
    }
    """#
}
