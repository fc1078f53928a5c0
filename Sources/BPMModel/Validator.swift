/// Graph checks shared by every front end: ids, flow targets, reachability, gateways.
public enum Validator {
    /// Every problem of a definition, each an error.
    public static func validate(_ def: ProcessDefinition) -> [DefinitionError] {
        let found = check(def, zeebe: false)
        return found.errors + found.warnings.map { DefinitionError($0.message, at: $0.location) }
    }

    /// The problems of a definition; with `zeebe`, those Zeebe deploys anyway (an unreachable
    /// element, a start event without outgoing flows) are warnings: the model deploys, and
    /// `bpm validate` shows them.
    public static func check(_ def: ProcessDefinition, zeebe: Bool)
        -> (errors: [DefinitionError], warnings: [DefinitionError])
    {
        var errors: [DefinitionError] = []
        var warnings: [DefinitionError] = []
        func lenient(_ message: String, at location: SourceLocation) {
            if zeebe { warnings.append(DefinitionError(warning: message, at: location)) } else {
                errors.append(DefinitionError(message, at: location))
            }
        }
        let fileLoc = SourceLocation(file: def.sourceFile, line: 1, column: 1)
        func loc(_ e: FlowElement) -> SourceLocation { e.location ?? fileLoc }

        var ids: [String: FlowElement] = [:]
        for e in def.elements {
            if let first = ids[e.id] {
                errors.append(DefinitionError("duplicate element id '\(e.id)' (first at line \(loc(first).line))", at: loc(e)))
            } else {
                ids[e.id] = e
            }
        }
        errors += ExecutionListenerRules.joinRefusals(def)
        for f in def.flows {
            for (end, what) in [(f.source, "source"), (f.target, "target")] where ids[end] == nil {
                errors.append(DefinitionError("sequence flow '\(f.id)' has unknown \(what) '\(end)'", at: f.location ?? fileLoc))
            }
        }
        let starts = def.startEvents + def.messageStartEvents + def.timerStartEvents + def.signalStartEvents
        if starts.isEmpty { errors.append(DefinitionError("the process has no start event", at: fileLoc)) }

        // reachability from the start events, following flows and boundary attachments
        var reached: Set<String> = []
        var work = starts.map(\.id)
        while let id = work.popLast() {
            guard reached.insert(id).inserted else { continue }
            for f in def.outgoing(id) { work.append(f.target) }
            for b in def.boundaryEvents(of: id) { work.append(b.id) }
            // a compensation boundary event reaches its handler (by association)
            if case .boundaryEvent(let b)? = def.element(id)?.kind, let h = b.handler { work.append(h) }
            // a link throw event reaches the link catch event of its name in the same scope
            if let e = def.element(id), case .linkThrowEvent(let name) = e.kind {
                for c in def.elements where c.parent == e.parent { if case .linkCatchEvent(name) = c.kind { work.append(c.id) } }
            }
            // a sub-process reaches its start events and its event sub-processes
            for e in def.elements where e.parent == id {
                switch e.kind {
                case .startEvent, .subProcess(true): work.append(e.id)
                default: break
                }
            }
            if case .subProcess(true) = def.element(id)?.kind {
                for e in def.elements where e.parent == id { if case .eventStartEvent = e.kind { work.append(e.id) } }
            }
            // an ad-hoc sub-process reaches the inner elements it can activate
            if def.element(id)?.adHoc != nil { work += def.adHocActivatable(in: id).map(\.id) }
        }
        // event sub-processes of the process itself are reachable by their trigger
        for esp in def.eventSubProcesses(in: nil) {
            var w = [esp.id]
            while let id = w.popLast() {
                guard reached.insert(id).inserted else { continue }
                for f in def.outgoing(id) { w.append(f.target) }
                for b in def.boundaryEvents(of: id) { w.append(b.id) }
                for e in def.elements where e.parent == id { w.append(e.id) }
            }
        }
        for e in def.elements where !reached.contains(e.id) {
            lenient("'\(e.id)' is unreachable: no path from the start leads to it", at: loc(e))
        }

        for e in def.elements {
            let out = def.outgoing(e.id)
            let inc = def.incoming(e.id)
            switch e.kind {
            case .exclusiveGateway, .parallelGateway, .inclusiveGateway, .eventBasedGateway, .complexGateway:
                if out.isEmpty { errors.append(DefinitionError("gateway '\(e.id)' has no outgoing flow", at: loc(e))) }
            case .endEvent, .cancelEndEvent:
                if !out.isEmpty { errors.append(DefinitionError("end event '\(e.id)' cannot have outgoing flows", at: loc(e))) }
            case .linkThrowEvent(let name):
                if !def.elements.contains(where: { $0.parent == e.parent && { if case .linkCatchEvent(name) = $0.kind { true } else { false } }($0) }) {
                    errors.append(DefinitionError("link throw event '\(e.id)' has no link catch event named '\(name)' in its scope", at: loc(e)))
                }
            case .boundaryEvent(let b):
                if out.isEmpty, !b.isCompensation {
                    errors.append(DefinitionError("'\(e.id)' has no outgoing flow", at: loc(e)))
                }
            case .startEvent, .eventStartEvent, .messageStartEvent, .timerStartEvent, .signalStartEvent:
                if out.isEmpty {
                    lenient("start event '\(e.id)' has no outgoing flow: its instances end at once", at: loc(e))
                }
            case .serviceTask, .userTask, .scriptTask, .timerCatchEvent, .passThrough, .subProcess, .signalCatchEvent,
                 .signalThrowEvent, .messageCatchEvent, .messageThrowEvent, .callActivity, .escalationThrowEvent,
                 .linkCatchEvent, .conditionalCatchEvent, .compensationThrowEvent:
                break  // an activity without outgoing flows ends its path (BPMN's implicit end)
            }
            if case .parallelGateway = e.kind, inc.count < 2, out.count < 2 {
                errors.append(DefinitionError("join '\(e.id)' has \(inc.count) incoming path(s); a join waits for two or more parallel paths", at: loc(e)))
            }
            if case .compensationThrowEvent(let t) = e.kind, let ref = t.activityRef, ids[ref] == nil {
                errors.append(DefinitionError("compensation event '\(e.id)' compensates unknown activity '\(ref)'",
                                              at: loc(e)))
            }
            if case .boundaryEvent(let b) = e.kind, ids[b.attachedTo] == nil {
                errors.append(DefinitionError("boundary event '\(e.id)' is attached to unknown activity '\(b.attachedTo)'", at: loc(e)))
            }
            if case .eventBasedGateway = e.kind {
                for f in out {
                    switch def.element(f.target)?.kind {
                    case .timerCatchEvent, .signalCatchEvent, .messageCatchEvent: break
                    default: errors.append(DefinitionError("event-based gateway '\(e.id)' must lead to catch events (timer, signal or message); '\(f.target)' is not one", at: loc(e)))
                    }
                }
            }
            if let d = e.defaultFlow, !out.contains(where: { $0.id == d }) {
                errors.append(DefinitionError("default flow '\(d)' of '\(e.id)' is not one of its outgoing flows", at: loc(e)))
            }
        }
        return (errors, warnings)
    }
}
