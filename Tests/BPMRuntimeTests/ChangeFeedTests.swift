import BPMRuntime
import BPMStore
import Foundation
import Testing

/// The change feed the live pages follow: a notification wakes a waiting subscriber of its
/// list (and only those), notifications coalesce, a wait without one ends at its timeout, and
/// the runtime's commits and task claims notify.
@Suite struct ChangeFeedTests {
    static let process = """
    id: review
    name: Review
    activities:
      - id: check
        type: user
        candidate_groups: [sales]
      - id: done
        type: end
    """

    @Test func aNotificationWakesOnlyItsListsSubscribersAndNotificationsCoalesce() async throws {
        let feed = ChangeFeed()
        let tasks = feed.subscribe(to: .tasks), instances = feed.subscribe(to: [.instances, .incidents])
        #expect(feed.count == 2)
        let waiting = Task { await tasks.next(timeout: 60) }
        feed.notify(.tasks)
        #expect(await waiting.value, "woken by the notification, long before the timeout")
        #expect(await instances.next(timeout: 0.05) == false, "a tasks change is not an instances change")
        for _ in 0..<5 { feed.notify(.incidents) }
        #expect(await instances.next(timeout: 60), "a change that came before the wait is kept")
        #expect(await instances.next(timeout: 0.05) == false, "five notifications made one change")
        tasks.cancel()
        #expect(feed.count == 1)
        let cancelled = Task { await instances.next(timeout: 60) }
        cancelled.cancel()
        #expect(await cancelled.value == false, "a cancelled wait ends at once")
    }

    @Test func commitsAndClaimsNotifyTheListsTheyChange() async throws {
        let h = try await Harness()
        defer { h.cleanup() }
        try await h.runtime.deploy(source: Self.process, file: "review.yaml")
        let tasks = h.runtime.changes.subscribe(to: .tasks), incidents = h.runtime.changes.subscribe(to: .incidents)
        let instances = h.runtime.changes.subscribe(to: .instances)
        let started = try await h.runtime.startInstance("review")
        try await h.runtime.settle()
        let instanceChanged = await instances.next(timeout: 60), taskChanged = await tasks.next(timeout: 60)
        #expect(instanceChanged && taskChanged, "a start writes an instance and its task")
        #expect(await incidents.next(timeout: 0.05) == false, "no incident was raised or resolved")
        var query = TaskQuery()
        query.instanceId = started.id
        let task = try #require(try await h.store.userTasks(query).first)
        _ = try await h.runtime.claimTask(task.id, user: "ada")
        #expect(await tasks.next(timeout: 60), "a claim writes no batch but changes the inbox")
        #expect(await instances.next(timeout: 0.05) == false)
    }
}
