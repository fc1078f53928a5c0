import BPMEngine
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// Live pages: the instance list, the incident list and the task inbox follow changes without
/// a reload. Each list page holds its rows in `#live`, with `data-stream` naming its event
/// stream: `GET /ui/events/{instances|incidents|tasks}` with the page's own query parameters.
/// The stream sends `data: changed` whenever what the page shows changes: the runtime's
/// commits tell its `ChangeFeed` which lists they changed, and the stream then looks at the
/// store (and every few seconds besides, for other replicas' changes); the page then fetches
/// itself and swaps in the new rows, keeping the filters and any form being filled in.
extension UI {
    /// The stream URL of a list page: its event stream with the page's parameters and `seen`,
    /// the fingerprint of what the page shows (a change before the stream connects is not missed).
    static func streamURL(_ list: String, _ req: Request, seen: String) -> String {
        var c = URLComponents()
        c.percentEncodedQuery = req.uri.query
        c.queryItems = (c.queryItems ?? []).filter { $0.name != "seen" } + [URLQueryItem(name: "seen", value: hash(seen))]
        return "/ui/events/\(list)" + (c.string ?? "")
    }

    /// What an instance list shows that can change: status, position, end, incidents.
    static func fingerprint(_ list: [InstanceSummary], _ incidents: [String: Int]) -> String {
        list.map { i in
            let ended = i.completedAt.map(Coding.iso) ?? ""
            return "\(i.id) \(i.status) \(i.currentActivity ?? "") \(ended) \(incidents[i.id] ?? 0)"
        }.joined(separator: "\n")
    }

    static func fingerprint(_ list: [IncidentRecord]) -> String {
        list.map { "\($0.incident.id) \($0.resolvedAt.map(Coding.iso) ?? "")" }.joined(separator: "\n")
    }

    static func fingerprint(_ list: [UserTaskRecord]) -> String {
        list.map { "\($0.id) \($0.assignee ?? "")" }.joined(separator: "\n")
    }

    /// FNV-1a, 64 bits, in hex: the same in every replica (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    func listEvents(_ list: String, _ req: Request) async throws -> Response {
        let fingerprint: @Sendable () async throws -> String
        switch list {
        case "instances":
            let query = try Self.listParameters(req).query
            fingerprint = {
                let (list, incidents) = try await instanceList(query)
                return Self.fingerprint(list, incidents)
            }
        case "incidents":
            let query = Self.incidentQuery(req), store = runtime.store
            fingerprint = { try await Self.fingerprint(store.incidents(query)) }
        case "tasks":
            let p = try Self.inboxParameters(req)
            fingerprint = { try await Self.fingerprint(taskList(p)) }
        default:
            throw Problem(.notFound, "unknown-list", "Not found",
                          "live lists are instances, incidents and tasks, not '\(list)'")
        }
        let initial: String
        if let seen = req.uri.queryParameters.get("seen") { initial = String(seen) } else {
            initial = Self.hash(try await fingerprint())
        }
        let last = LastSent(initial)
        let lists: ChangedLists = list == "tasks" ? .tasks : list == "incidents" ? .incidents : [.instances, .incidents]
        return eventStream(lists) {
            guard let now = try? await Self.hash(fingerprint()), now != last.value else { return (nil, false) }
            last.value = now
            return ("changed", false)
        }
    }

    /// How long a stream lasts (the browser reconnects), how often it writes a comment when it
    /// has nothing to send, and the least time between two looks at the store.
    static let streamLifetime = 300.0, pingInterval = 2.0, minimumGap = 0.1

    /// A server-sent event stream: `next` is asked for a message to send (and whether the stream
    /// ends after it) whenever the runtime's commits change one of `lists`, and every `poll`
    /// seconds besides (changes made by other replicas sharing the store). Looks are at least a
    /// tenth of a second apart: a burst of commits costs one. A comment every two seconds
    /// without a message finds a closed connection (the write fails), so the loop ends with the
    /// client and the server can stop without waiting for it.
    func eventStream(_ lists: ChangedLists, _ next: @escaping @Sendable () async -> (String?, Bool)) -> Response {
        var h = HTTPFields()
        h[.contentType] = "text/event-stream"
        h[.cacheControl] = "no-cache"
        let feed = runtime.changes, poll = max(Self.minimumGap, livePoll)
        return Response(status: .ok, headers: h, body: .init { writer in
            let changes = feed.subscribe(to: lists)
            defer { changes.cancel() }
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            let clock = ContinuousClock(), end = clock.now + .seconds(Self.streamLifetime)
            var looked = clock.now, wrote = clock.now
            // bounded: every round takes at least `minimumGap` (a look) or a wait; the first looks
            // at once (what changed between the page and its stream's subscription is sent)
            for round in 0..<Int(Self.streamLifetime / Self.minimumGap) {
                guard clock.now < end else { break }
                var changed = true
                if round > 0 { changed = await changes.next(timeout: min(Self.pingInterval, poll)) }
                if changed || clock.now - looked >= .seconds(poll) {
                    looked = clock.now
                    let (message, done) = await next()
                    if let message {
                        try await writer.write(ByteBuffer(string: "data: \(message)\n\n"))
                        wrote = clock.now
                        if done { break }
                    }
                    try await Task.sleep(for: .seconds(Self.minimumGap))
                }
                if clock.now - wrote >= .seconds(Self.pingInterval) {
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    wrote = clock.now
                }
            }
            try await writer.finish(nil)
        })
    }

    /// The client side: a list page with `#live[data-stream]` swaps in its fresh rows on each message.
    static let liveScript = """
    <script>
    (function () {
      const live = document.getElementById('live');
      if (!live || !live.dataset.stream) return;
      const es = new EventSource(live.dataset.stream);
      // a page left (or kept in the back/forward cache) gives its connection back: browsers allow
      // six per server, and streams held by pages gone by would stall the requests of the next ones
      addEventListener('pagehide', () => es.close());
      es.onopen = () => { live.dataset.connected = 'true'; };
      es.onmessage = async () => {
        const r = await fetch(location.href);
        if (!r.ok) return;
        const fresh = new DOMParser().parseFromString(await r.text(), 'text/html').getElementById('live');
        if (!fresh) return;
        live.innerHTML = fresh.innerHTML;
        live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
      };
    })();
    </script>
    """
}

/// The last value a stream sent, kept between its polls.
final class LastSent<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
