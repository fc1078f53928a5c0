import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

extension BatchContext {
    /// A schedule's timer fired: unless paused, start its buffered run once the running one has
    /// ended, and the due times its plan runs (each per the overlap policy); then arm the row
    /// for the next due time. Only the definition's latest version (not retired) starts.
    mutating func startTimerFired(_ t: TimerRecord) async throws {
        commit.timersToDelete.append(t.id)
        guard let defId = t.data?[member: "definition"].stringValue, let v = t.data?[member: "version"].doubleValue,
              let (def, latest) = await definition(defId), latest == Int(v), !registry.retired.contains(defId),
              let spec = def.schedules.first(where: { $0.elementId == t.elementId })
        else { return }  // a superseded version's schedule: dropped
        var run = ScheduleRun(spec: spec, definition: def, version: latest, buffered: StartTimers.buffered(t),
                              remaining: StartTimers.remaining(t))
        let paused = try await reading().schedulePauses()[spec.id] ?? spec.options.paused
        if let b = run.buffered, !paused, try await runningInstance(def.id, businessKey: spec.id) == nil {
            run.buffered = nil
            try await startScheduled(&run, due: b)
        }
        var due = StartTimers.due(t)
        if let d = due, now >= d + ScheduleTimes.jitter(scheduleId: spec.id, due: d, max: spec.options.jitter) {
            let plan = ScheduleTimes.plan(spec.schedule, options: spec.options, firstDue: d, now: now)
            if !paused {
                for r in plan.runs where run.remaining.map({ $0 > 0 }) ?? true { try await fire(&run, due: r) }
            }
            due = run.remaining.map { $0 > 0 } ?? true ? plan.next.map(StartTimers.ms) : nil
        }
        var row = StartTimers.arm(t, spec, due: due, buffered: run.buffered, now: now)
        if case .context(var data) = row.data ?? .null, let left = run.remaining {
            data["remaining"] = .number(left)
            row.data = .context(data)
        }
        commit.timersToAdd.append(row)
    }

    /// One due time of a schedule, per its overlap policy while its previous run is running.
    mutating func fire(_ run: inout ScheduleRun, due: Date) async throws {
        let id = run.spec.id
        if run.spec.options.overlap != .allowAll,
           let running = try await runningInstance(run.definition.id, businessKey: id)
        {
            switch run.spec.options.overlap {
            case .skip, .allowAll: return
            case .bufferOne:
                if run.buffered == nil { run.buffered = due }
                return
            case .cancelOther:
                let reason = "schedule \(id): the run due at \(Coding.iso(due)) replaces it (overlap: cancel_other)"
                do { _ = try await applyCommand(.cancel(reason: reason), to: running) } catch is CommandRejection {}
            }
        }
        try await startScheduled(&run, due: due)
    }

    /// Starts the run of a due time unless it was started (by another replica, or by an
    /// earlier attempt of this batch): its fire row is written with the instance.
    mutating func startScheduled(_ run: inout ScheduleRun, due: Date) async throws {
        let id = run.spec.id
        if commit.scheduleFires.contains(where: { $0.scheduleId == id && $0.dueAt == due }) { return }
        if try await reading().scheduleFire(scheduleId: id, dueAt: due) != nil { return }
        let variables: [String: Value] = ["schedule_id": .string(id), "scheduled_at": .string(Coding.iso(due)),
                                          "fired_at": .string(Coding.iso(now))]
        let instance = Engine.start(run.definition, instanceId: UUIDv7.make(now), version: run.version,
                                    variables: variables,
                                    businessKey: id, startEvent: run.spec.elementId, now: now)
        record(instance, expected: nil)
        commit.scheduleFires.append(ScheduleFire(scheduleId: id, dueAt: due, instanceId: instance.state.id,
                                                 firedAt: now))
        if let left = run.remaining { run.remaining = left - 1 }
    }
}

/// A schedule being fired in a batch: what it starts, and what the row keeps.
struct ScheduleRun {
    let spec: ScheduleSpec
    let definition: ProcessDefinition
    let version: Int
    var buffered: Date?
    var remaining: Double?
}
