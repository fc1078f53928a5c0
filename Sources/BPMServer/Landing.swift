/// A small page at `/` pointing to the API until the web UI arrives.
enum Landing {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>swift-bpm</title>
    <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .25rem}</style>
    </head><body>
    <h1>swift-bpm</h1>
    <p>The engine is running. API:</p>
    <ul>
    <li><a href="/definitions"><code>GET /definitions</code></a> — deployed process definitions</li>
    <li><a href="/processes"><code>GET /processes</code></a> — instances (filters: definitionId, status, correlationKey, businessKey, limit, offset)</li>
    <li><a href="/tasks"><code>GET /tasks</code></a> — open user tasks</li>
    <li><a href="/incidents"><code>GET /incidents</code></a> — open incidents</li>
    <li><a href="/openapi.json"><code>GET /openapi.json</code></a> — the OpenAPI document</li>
    </ul>
    </body></html>
    """
}
