import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS

/// The timers of an instance's events, read as Camunda 8 reads them: `timeDuration` or
/// `timeDate` everywhere, `timeCycle` only where a timer can fire more than once (a
/// non-interrupting boundary event or event sub-process start); each a static ISO 8601 value
/// (or cron expression), or FEEL after `=`, evaluated when the timer is armed.
extension BPMNDefinitionReader.Reader {
    /// A timer for a drawing-only process: its value if it has a usable one, a zero duration otherwise.
    func quietTimer(_ d: XMLElement, _ c: XMLElement, cycles: Bool) -> TimerDefinition {
        var probe = self
        let t = probe.timer(d, c, cycles: cycles)
        let none = TimerDefinition(seconds: 0, text: "")
        return probe.errors.count == errors.count ? t ?? none : none
    }

    /// The timer of an event; `cycles`: whether the event may repeat (non-interrupting).
    mutating func timer(_ d: XMLElement, _ c: XMLElement, cycles: Bool) -> TimerDefinition? {
        let id = c.attributes["id"] ?? ""
        let forms: [(String, TimerDefinition.Form)] = [
            ("timeDuration", .duration), ("timeDate", .date), ("timeCycle", .cycle),
        ]
        let given = forms.compactMap { f in d.child(f.0, ns: bpmnNS).map { ($0, f.1) } }
        guard let (e, form) = given.first else {
            error("timer event '\(id)' without timeDuration, timeDate or timeCycle", c)
            return nil
        }
        if given.count > 1 {
            error("timer event '\(id)' has \(given.map { $0.0.name }.joined(separator: " and ")): "
                + "a timer event definition has one of timeDuration, timeDate and timeCycle (BPMN 2.0 §10.5.3)", e)
            return nil
        }
        if form == .cycle, !cycles {
            error("timer event '\(id)' has a timeCycle, but it can fire only once: a cycle repeats only on a "
                + "non-interrupting boundary event or event sub-process start (as in Camunda 8); "
                + "use timeDuration or timeDate", e)
            return nil
        }
        let raw = e.trimmedText
        guard raw.hasPrefix("=") else { return staticTimer(raw, form, e, id) }
        guard let ex = expression(raw, e, "timer \(form.rawValue) of '\(id)'") else { return nil }
        var t = TimerDefinition(.expression(ex, form), text: raw)
        t.unarmedWhenNull = d.attributes["bpm:unarmedWhenNull"] == "true"
        if ex.referencedNames.isEmpty, case .failure(let f) = t.schedule([:], now: Date()) {
            error("\(f.message) (of '\(id)')", e)
            return nil
        }
        return t
    }

    mutating func staticTimer(_ raw: String, _ form: TimerDefinition.Form, _ e: XMLElement, _ id: String)
        -> TimerDefinition?
    {
        switch form {
        case .duration:
            do { return TimerDefinition(seconds: try DurationParser.seconds(raw), text: raw) } catch {
                self.error("timer duration '\(raw)' of '\(id)': \(error.message)", e)
                return nil
            }
        case .date:
            if let d = ISODate.parse(raw) { return TimerDefinition(.fixed(.date(d)), text: raw) }
            error("timer date '\(raw)' of '\(id)' is not an ISO 8601 date-time such as 2026-12-01T08:00:00Z", e)
            return nil
        case .cycle:
            if let s = TimerSchedule.read(cycle: raw) { return TimerDefinition(.fixed(s), text: raw) }
            if raw.split(separator: " ").count >= 5 {
                do { _ = try CronExpression(raw) } catch {
                    self.error("timer cycle '\(raw)' of '\(id)': \(error.message)", e)
                    return nil
                }
            }
            error("timer cycle '\(raw)' of '\(id)': use an ISO 8601 repeating interval such as R5/PT10S or R/P1D, "
                + "or a cron expression such as 0 0 8 * * ?", e)
            return nil
        }
    }
}
