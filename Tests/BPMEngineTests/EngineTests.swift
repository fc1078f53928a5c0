import BPMEngine
import BPMExpressions
import BPMModel
import Foundation
import Testing

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func definition(_ yaml: String) throws -> ProcessDefinition {
    try YAMLDefinitionReader.read(source: yaml, file: "test.yaml")
}

func completedPath(_ history: [HistoryEntry]) -> [String] {
    history.filter { $0.event == "completed" && $0.elementType != "process" }.map(\.elementId)
}

extension Transition {
    var jobs: [JobRecord] { effects.compactMap { if case .dispatchJob(let j) = $0 { j } else { nil } } }
    var timers: [TimerRecord] { effects.compactMap { if case .scheduleTimer(let t) = $0 { t } else { nil } } }
    var tasks: [UserTaskRecord] { effects.compactMap { if case .createUserTask(let t) = $0 { t } else { nil } } }
    var cancelledTimers: [String] { effects.compactMap { if case .cancelTimer(let id) = $0 { id } else { nil } } }
}

@Suite struct EngineCoreTests {
    @Test func straightThroughCompletesInOneStep() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: a, type: script, set: {x: 1}}
          - {id: gw, type: decision, condition: x > 0, true_path: pos, false_path: neg}
          - {id: pos, type: script, set: {y: x + 1}, next: done}
          - {id: neg, type: script, set: {y: 0}}
          - {id: done, type: end}
        """)
        let t = Engine.start(d, instanceId: "i1", version: 1, variables: [:], now: t0)
        #expect(t.state.status == .completed)
        #expect(t.state.variables == ["x": 1, "y": 2])
        #expect(completedPath(t.history) == ["start", "a", "gw", "pos", "done"])
        #expect(t.history.first?.event == "started")
        #expect(t.history.last?.event == "completed")
        #expect(t.effects.isEmpty)
    }

    @Test func theCoreIsDeterministic() throws {
        let d = try definition(try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../examples/temperature-control.yaml"), encoding: .utf8))
        let vars: [String: Value] = ["temperature": 27.5, "threshold": 25, "device_id": "hp1"]
        let a = Engine.start(d, instanceId: "i", version: 1, variables: vars, now: t0)
        let b = Engine.start(d, instanceId: "i", version: 1, variables: vars, now: t0)
        #expect(a.state == b.state)
        #expect(a.history == b.history)
        #expect(a.effects == b.effects)
    }

    @Test func exclusiveGatewayWithoutMatchRaisesAnIncidentAndRetryReevaluates() throws {
        // a gateway with only conditional flows and no default (YAML decisions always have an
        // else path; BPMN models may not), built with the model API
        let cond = try Expression("kind = \"a\"")
        let d = ProcessDefinition(id: "p", name: "p", elements: [
            FlowElement(id: "start", kind: .startEvent),
            FlowElement(id: "route", kind: .exclusiveGateway),
            FlowElement(id: "a", kind: .scriptTask(ScriptTask(assignments: [("done", try Expression("true"))]))),
            FlowElement(id: "end", kind: .endEvent(EndEvent())),
        ], flows: [
            SequenceFlow(id: "f1", source: "start", target: "route"),
            SequenceFlow(id: "f2", source: "route", target: "a", condition: cond),
            SequenceFlow(id: "f3", source: "a", target: "end"),
        ])
        #expect(Validator.validate(d).isEmpty)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: ["kind": "b"], now: t0)
        #expect(t.state.status == .running)
        try #require(t.state.incidents.count == 1)
        #expect(t.state.incidents[0].type == "condition_failed")
        // the operator fixes the variable and retries
        let fixed = try Engine.apply(.setVariables(["kind": "a"]), to: t.state, definition: d, now: t0)
        let retried = try Engine.apply(.retryIncident(incidentId: t.state.incidents[0].id), to: fixed.state, definition: d, now: t0)
        #expect(retried.state.status == .completed)
        #expect(retried.state.incidents.isEmpty)
        #expect(retried.effects.contains(.resolveIncident(id: t.state.incidents[0].id)))
    }

    @Test func parallelForkWaitsForEveryBranchAtTheJoin() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: split, type: script, set: {x: 1}, next: [left, right]}
          - {id: left, type: user, next: join}
          - {id: right, type: timer, duration: 10s, next: join}
          - {id: join, type: join}
          - {id: after, type: script, set: {joined: true}}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        #expect(Set(t.state.currentActivities) == ["left", "right"])
        let timerId = t.timers[0].id
        let afterTimer = try Engine.apply(.timerFired(timerId: timerId), to: t.state, definition: d, now: t0 + 10)
        #expect(afterTimer.state.status == .running)
        #expect(afterTimer.state.currentActivities == ["left"])
        #expect(afterTimer.state.variables["joined"] == nil)
        let done = try Engine.apply(.completeUserTask(taskId: t.tasks[0].id, variables: ["ok": true]), to: afterTimer.state, definition: d, now: t0 + 20)
        #expect(done.state.status == .completed)
        #expect(done.state.variables["joined"] == true)
        #expect(completedPath(done.history).filter { $0 == "join" || $0 == "after" } == ["join", "after"])
    }

    @Test func failingJobsRetryWithBackoffThenRaiseAnIncident() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: call, type: service, action: http, url: "http://x/${n}", retries: 2, backoff: {initial: 1s, multiplier: 3}}
          - {id: after, type: script, set: {done: true}}
        """)
        var t = Engine.start(d, instanceId: "i", version: 1, variables: ["n": 7], now: t0)
        let job = t.jobs[0]
        #expect(job.payload == ["url": "http://x/7"])
        #expect(job.attempt == 1)
        var now = t0
        var delays: [Double] = []
        for attempt in 1...2 {
            t = try Engine.apply(.jobFailed(jobId: job.id, message: "503", retryable: true, incidentType: "job_failed"), to: t.state, definition: d, now: now)
            let retry = t.timers[0]
            delays.append(retry.dueAt.timeIntervalSince(now))
            now = retry.dueAt
            t = try Engine.apply(.timerFired(timerId: retry.id), to: t.state, definition: d, now: now)
            #expect(t.jobs.first?.attempt == attempt + 1)
            #expect(t.jobs.first?.id == job.id, "the job keeps its id (idempotency key) across attempts")
        }
        #expect(delays == [1, 3])
        t = try Engine.apply(.jobFailed(jobId: job.id, message: "503", retryable: true, incidentType: "job_failed"), to: t.state, definition: d, now: now)
        #expect(t.state.incidents.count == 1)
        #expect(t.state.incidents[0].message.contains("failed 3 times"))
        #expect(t.state.currentActivities == ["call"])
        // retrying the incident dispatches the job again with a fresh budget
        t = try Engine.apply(.retryIncident(incidentId: t.state.incidents[0].id), to: t.state, definition: d, now: now)
        #expect(t.jobs.first?.attempt == 1)
        t = try Engine.apply(.jobCompleted(jobId: job.id, output: ["status": 200]), to: t.state, definition: d, now: now)
        #expect(t.state.status == .completed)
        #expect(t.state.variables["status"] == 200)
    }

    @Test func aMissingConnectorIsAnIncidentNotASuccess() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: publish, type: service, action: mqtt_publish, topic: t}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        let r = try Engine.apply(.jobFailed(jobId: t.jobs[0].id, message: "no connector configured for action 'mqtt_publish'", retryable: false, incidentType: "no_connector"),
                                 to: t.state, definition: d, now: t0)
        #expect(r.state.status == .running)
        #expect(r.state.incidents.map(\.type) == ["no_connector"])
        #expect(r.state.incidents[0].message.contains("mqtt_publish"))
    }

    @Test func userTaskTimeoutInterruptsAndEscalates() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: approve, type: user, candidate_groups: [managers], timeout: {after: 1h, next: escalate}}
          - {id: done, type: end}
          - {id: escalate, type: script, set: {escalated: true}}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        #expect(t.tasks[0].candidateGroups == ["managers"])
        let boundary = t.timers[0]
        #expect(boundary.dueAt == t0 + 3600)
        let fired = try Engine.apply(.timerFired(timerId: boundary.id), to: t.state, definition: d, now: boundary.dueAt)
        #expect(fired.state.status == .completed)
        #expect(fired.state.variables["escalated"] == true)
        #expect(fired.effects.contains(.closeUserTask(id: t.tasks[0].id, status: "cancelled", at: boundary.dueAt)))
        #expect(fired.history.contains { $0.elementId == "approve" && $0.event == "terminated" })
        // completing the task before the timeout cancels the timer instead
        let completed = try Engine.apply(.completeUserTask(taskId: t.tasks[0].id, variables: [:]), to: t.state, definition: d, now: t0)
        #expect(completed.state.status == .completed)
        #expect(completed.cancelledTimers == [boundary.id])
        #expect(throws: CommandRejection.self) { try Engine.apply(.timerFired(timerId: boundary.id), to: completed.state, definition: d, now: t0) }
    }

    @Test func errorEndFailsTheInstanceAndEndsOtherPaths() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: split, type: script, set: {x: 1}, next: [wait, fail]}
          - {id: wait, type: timer, duration: 1h, next: ok}
          - {id: fail, type: end, error: {code: BAD_INPUT, message: "x was ${x}"}}
          - {id: ok, type: end}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        #expect(t.state.status == .failed)
        #expect(t.state.error == InstanceError(code: "BAD_INPUT", message: "x was 1"))
        #expect(t.state.tokens.isEmpty)
        #expect(t.effects.contains { if case .cancelTimer = $0 { true } else { false } })
    }

    @Test func correlationRefreshesVariablesWithoutMovingTheInstance() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: wait, type: timer, duration: 5m}
          - {id: check, type: decision, condition: temperature <= 25, true_path: ok, false_path: bad}
          - {id: ok, type: end, result: {outcome: ok}}
          - {id: bad, type: end, result: {outcome: bad}}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: ["temperature": 27.5], now: t0)
        let c = try Engine.apply(.correlate(variables: ["temperature": 22]), to: t.state, definition: d, now: t0 + 60)
        #expect(c.state.currentActivities == ["wait"])
        #expect(c.history.map(\.event) == ["correlated"])
        let f = try Engine.apply(.timerFired(timerId: t.timers[0].id), to: c.state, definition: d, now: t0 + 300)
        #expect(f.state.variables["outcome"] == "ok")
    }

    @Test func cancelTerminatesEveryPath() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: a, type: user}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        let c = try Engine.apply(.cancel(reason: "operator"), to: t.state, definition: d, now: t0)
        #expect(c.state.status == .terminated)
        #expect(c.effects.contains(.closeUserTask(id: t.tasks[0].id, status: "cancelled", at: t0)))
        #expect(throws: CommandRejection.self) { try Engine.apply(.cancel(reason: nil), to: c.state, definition: d, now: t0) }
    }

    @Test func endlessLoopsStopAtTheStepLimitWithAnIncident() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: a, type: script, set: {n: if n = null then 1 else n + 1}}
          - {id: loop, type: decision, condition: true, true_path: a, false_path: a}
        """)
        let t = Engine.start(d, instanceId: "i", version: 1, variables: [:], now: t0)
        #expect(t.state.incidents.first?.type == "step_limit")
        #expect(t.state.status == .running)
    }

    @Test func stateSurvivesEncoding() throws {
        let d = try definition("""
        id: p
        activities:
          - {id: split, type: script, set: {x: 1}, next: [u, s]}
          - {id: u, type: user, timeout: 1h, next: j}
          - {id: s, type: service, action: http, next: j}
          - {id: j, type: join}
        """)
        let t = Engine.start(d, instanceId: "i", version: 3, variables: ["k": [1, "two"]], correlationKey: "key", now: t0)
        let s = t.state
        let restored = InstanceState(id: s.id, definitionId: s.definitionId, definitionVersion: s.definitionVersion, status: s.status,
                                     variables: s.variables, execution: try JSON.parse(JSON.encode(s.executionValue)),
                                     correlationKey: s.correlationKey, businessKey: s.businessKey, startedAt: s.startedAt, endedAt: s.endedAt, revision: s.revision)
        #expect(restored == s)
    }

    /// A repeating boundary timer's progress (its due time, firings and an expression's cycle)
    /// is part of the stored state, so a restart goes on with the same occurrences; states stored
    /// before cycles (no due time) still read.
    @Test func aCycleInProgressSurvivesEncoding() throws {
        let d = try BPMNDefinitionReader.read(source: """
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p" isExecutable="true">
              <startEvent id="s"/><userTask id="u"/><endEvent id="e"/><endEvent id="r"/>
              <boundaryEvent id="b" attachedToRef="u" cancelActivity="false">
                <timerEventDefinition><timeCycle>="R" + string(n) + "/PT1M"</timeCycle></timerEventDefinition>
              </boundaryEvent>
              <sequenceFlow id="f1" sourceRef="s" targetRef="u"/><sequenceFlow id="f2" sourceRef="u" targetRef="e"/>
              <sequenceFlow id="f3" sourceRef="b" targetRef="r"/>
            </process></definitions>
            """, file: "c.bpmn")[0]
        let s = Engine.start(d, instanceId: "i", version: 1, variables: ["n": 4], now: t0).state
        let armed = try #require(s.tokens.first?.boundaryTimers.first)
        #expect(armed.dueAt == t0.addingTimeInterval(60) && armed.fired == 0 && armed.cycle == "R4/PT60S")
        func restored(_ execution: Value) -> InstanceState {
            InstanceState(id: s.id, definitionId: s.definitionId, definitionVersion: s.definitionVersion,
                          status: s.status, variables: s.variables, execution: execution, correlationKey: nil,
                          businessKey: nil, startedAt: s.startedAt, endedAt: nil, revision: s.revision)
        }
        #expect(restored(try JSON.parse(JSON.encode(s.executionValue))) == s)
        let old = try JSON.parse(#"{"seq": 3, "tokens": [{"id": "k", "element": "u", "wait": {"userTask": "x"},"#
            + #""boundary": [{"timer": "t", "element": "b"}]}]}"#)
        let before = try #require(restored(old).tokens.first?.boundaryTimers.first)
        #expect(before.timerId == "t" && before.boundaryElementId == "b" && before.dueAt == nil && before.fired == 0)
    }
}
