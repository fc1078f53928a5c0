/// The OpenAPI 3.1 document served at `/openapi.json`.
enum OpenAPI {
    static let document = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "swift-bpm", "version": "0.1.0", "description": "Process engine API: definitions, instances, events, user tasks, incidents. Errors are RFC 9457 problem details."},
      "paths": {
        "/health/live": {"get": {"summary": "Liveness", "responses": {"200": {"description": "alive", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/health/ready": {"get": {"summary": "Readiness: the store answers", "responses": {"200": {"description": "ready", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/definitions": {
          "get": {"summary": "Deployed definitions (latest version of each)", "responses": {"200": {"description": "definitions", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Definition"}}}}}}},
          "post": {"summary": "Deploy a YAML definition (identical content keeps its version)", "requestBody": {"required": true, "content": {"application/yaml": {"schema": {"type": "string"}}}},
                   "responses": {"201": {"description": "deployed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Definition"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}
        },
        "/definitions/{id}": {"get": {"summary": "One definition with its resolved flow", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "definition", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Definition"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes": {"get": {"summary": "List instances, newest first", "parameters": [
            {"name": "definitionId", "in": "query", "schema": {"type": "string"}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["running", "completed", "failed", "terminated"]}},
            {"name": "correlationKey", "in": "query", "schema": {"type": "string"}},
            {"name": "businessKey", "in": "query", "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 50}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}],
          "responses": {"200": {"description": "page of instances", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/InstanceSummary"}}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{definitionId}/start": {"post": {"summary": "Start an instance of the latest version", "parameters": [{"name": "definitionId", "in": "path", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}, "businessKey": {"type": "string"}}}}}},
          "responses": {"201": {"description": "started; the state after running to its first wait", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}": {"get": {"summary": "Instance status, variables and where it waits", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/history": {"get": {"summary": "Execution history, oldest first", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "history", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}}}}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/cancel": {"post": {"summary": "Cancel a running instance", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}}},
          "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/processes/{id}/variables": {"post": {"summary": "Set variables of a running instance", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/events": {"post": {"summary": "Deliver an event: refreshes the running instance for its correlation key, or starts one when the trigger condition holds",
          "parameters": [{"name": "topic", "in": "query", "schema": {"type": "string"}}, {"name": "definitionId", "in": "query", "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "description": "{topic|definitionId, payload} or the event itself with ?topic=", "properties": {"topic": {"type": "string"}, "definitionId": {"type": "string"}, "payload": {}}}}}},
          "responses": {"200": {"description": "what the event did per definition", "content": {"application/json": {"schema": {"type": "object", "properties": {"outcomes": {"type": "array", "items": {"$ref": "#/components/schemas/EventOutcome"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/messages": {"post": {"summary": "Publish a message: correlated to the oldest subscription with its name and correlation key, or starting instances with a matching message start event, or kept for timeToLive",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "correlationKey": {"type": "string"}, "variables": {"type": "object"}, "timeToLive": {"description": "ISO 8601 or short duration, or seconds"}}}}}},
          "responses": {"200": {"description": "what the message did", "content": {"application/json": {"schema": {"type": "object", "properties": {"outcome": {"type": "string", "enum": ["correlated", "started", "buffered", "dropped"]}, "instanceId": {"type": "string"}, "instanceIds": {"type": "array", "items": {"type": "string"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/signals": {"post": {"summary": "Broadcast a signal: every instance waiting for it continues; processes with a signal start event of its name start",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "how many instances were reached, and which started", "content": {"application/json": {"schema": {"type": "object", "properties": {"correlated": {"type": "integer"}, "instanceIds": {"type": "array", "items": {"type": "string"}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}}}},
        "/decisions": {"get": {"summary": "Deployed decisions (ids and names)", "responses": {"200": {"description": "decisions", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}},
        "/decisions/{id}/evaluate": {"post": {"summary": "Evaluate a decision over the given inputs", "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"variables": {"type": "object"}}}}}},
          "responses": {"200": {"description": "the result", "content": {"application/json": {"schema": {"type": "object", "properties": {"result": {}}}}}}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
        "/tasks": {"get": {"summary": "User tasks, highest priority first", "parameters": [
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "completed", "cancelled", "all"], "default": "open"}},
            {"name": "assignee", "in": "query", "schema": {"type": "string"}}, {"name": "candidateGroup", "in": "query", "schema": {"type": "string"}},
            {"name": "instanceId", "in": "query", "schema": {"type": "string"}},
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
        "/incidents": {"get": {"summary": "Incidents (open by default)", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "all"]}}, {"name": "instanceId", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "incidents", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}}}}}}}}},
        "/incidents/{id}/retry": {"post": {"summary": "Retry an incident after fixing its cause", "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"description": "the instance after the retry", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/logs": {"get": {"summary": "Messages written by the database_log action", "parameters": [{"name": "instanceId", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "logs", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}}}}}}}
      },
      "components": {
        "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
        "responses": {"Problem": {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        "schemas": {
          "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}}},
          "Definition": {"type": "object", "required": ["id", "name", "version"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}, "versionLabel": {"type": "string"}, "elements": {"type": "integer"}, "trigger": {"type": "object"}, "correlationKey": {"type": "string"}, "flow": {"type": "string"}, "elementIds": {"type": "array", "items": {"type": "string"}}}},
          "Instance": {"type": "object", "required": ["id", "definitionId", "definitionVersion", "status", "variables", "currentActivities", "startedAt"], "properties": {
            "id": {"type": "string"}, "definitionId": {"type": "string"}, "definitionVersion": {"type": "integer"},
            "status": {"type": "string", "enum": ["running", "completed", "failed", "terminated"]}, "variables": {"type": "object"},
            "currentActivities": {"type": "array", "items": {"type": "string"}}, "waitingAt": {"type": "array", "items": {"type": "object", "properties": {"elementId": {"type": "string"}, "waitingFor": {"type": "string"}}}},
            "incidents": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "correlationKey": {"type": "string"}, "businessKey": {"type": "string"},
            "startedAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}, "error": {"type": "object"}}},
          "InstanceSummary": {"type": "object", "required": ["id", "definitionId", "status", "startedAt"], "properties": {"id": {"type": "string"}, "definitionId": {"type": "string"}, "definitionVersion": {"type": "integer"}, "status": {"type": "string"}, "currentActivities": {"type": "array", "items": {"type": "string"}}, "correlationKey": {"type": "string"}, "businessKey": {"type": "string"}, "startedAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}}},
          "HistoryEntry": {"type": "object", "required": ["elementId", "elementType", "event", "at"], "properties": {"elementId": {"type": "string"}, "elementType": {"type": "string"}, "event": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "data": {}}},
          "EventOutcome": {"type": "object", "required": ["definitionId", "action"], "properties": {"definitionId": {"type": "string"}, "action": {"type": "string", "enum": ["started", "correlated", "ignored"]}, "instanceId": {"type": "string"}, "correlationKey": {"type": "string"}, "reason": {"type": "string"}}},
          "Task": {"type": "object", "required": ["id", "instanceId", "elementId", "status"], "properties": {"id": {"type": "string"}, "instanceId": {"type": "string"}, "definitionId": {"type": "string"}, "elementId": {"type": "string"}, "name": {"type": "string"}, "assignee": {"type": "string"}, "candidateUsers": {"type": "array", "items": {"type": "string"}}, "candidateGroups": {"type": "array", "items": {"type": "string"}}, "priority": {"type": "integer"}, "form": {}, "status": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "completedAt": {"type": "string", "format": "date-time"}}},
          "Incident": {"type": "object", "required": ["id", "instanceId", "elementId", "type", "message"], "properties": {"id": {"type": "string"}, "instanceId": {"type": "string"}, "elementId": {"type": "string"}, "type": {"type": "string"}, "message": {"type": "string"}, "jobId": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "status": {"type": "string"}, "resolvedAt": {"type": "string", "format": "date-time"}}}
        }
      }
    }
    """#
}
