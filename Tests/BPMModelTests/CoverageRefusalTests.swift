import BPMModel
import Foundation
import Testing

/// Every "no" row of the coverage table in docs/bpmn.md ("Coverage"): the element or attribute
/// is refused at deploy with `file:line:col` pointing at it and a message naming it.
@Suite struct CoverageRefusalTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var row: String
        /// The process body (or, with `top`, what stands beside the process).
        var body: String
        var top = ""
        /// The text of the refused element's opening tag, to locate it.
        var at: String
        var names: String
        var testDescription: String { row }
    }

    static let loop = #"<b:task id="t"><b:multiInstanceLoopCharacteristics"#
    static let card = "<b:loopCardinality>2</b:loopCardinality>"

    static let rows: [Row] = [
        Row(row: "conditional start event of a process",
            body: #"<b:startEvent id="c"><b:conditionalEventDefinition><b:condition>=x</b:condition>"#
                + "</b:conditionalEventDefinition></b:startEvent>",
            at: #"<b:startEvent id="c">"#, names: "conditional start event"),
        Row(row: "multiple event",
            body: #"<b:intermediateCatchEvent id="c"><b:messageEventDefinition messageRef="m"/>"#
                + "<b:timerEventDefinition><b:timeDuration>PT1M</b:timeDuration></b:timerEventDefinition>"
                + "</b:intermediateCatchEvent>",
            top: #"<b:message id="m" name="m"/>"#, at: #"<b:intermediateCatchEvent id="c">"#,
            names: "multiple events"),
        Row(row: "parallel multiple event",
            body: #"<b:intermediateCatchEvent id="c" parallelMultiple="true"><b:signalEventDefinition "#
                + #"signalRef="g"/></b:intermediateCatchEvent>"#,
            top: #"<b:signal id="g" name="g"/>"#, at: #"<b:intermediateCatchEvent id="c""#,
            names: "parallel multiple events"),
        Row(row: "instantiating event-based gateway",
            body: #"<b:eventBasedGateway id="c" instantiate="true"/>"#, at: #"<b:eventBasedGateway id="c""#,
            names: "instantiate=\"true\""),
        Row(row: "parallel event-based gateway",
            body: #"<b:eventBasedGateway id="c" eventGatewayType="Parallel"/>"#, at: #"<b:eventBasedGateway id="c""#,
            names: "eventGatewayType=\"Parallel\""),
        Row(row: "multi-instance behavior",
            body: loop + #" behavior="One">"# + card + "</b:multiInstanceLoopCharacteristics></b:task>",
            at: #"<b:multiInstanceLoopCharacteristics behavior"#, names: "behavior=\"One\""),
        Row(row: "multi-instance complexBehaviorDefinition",
            body: loop + ">" + card + "<b:complexBehaviorDefinition/></b:multiInstanceLoopCharacteristics></b:task>",
            at: "<b:complexBehaviorDefinition", names: "complexBehaviorDefinition"),
        Row(row: "multi-instance loopDataInputRef",
            body: loop + ">" + card + "<b:loopDataInputRef>items</b:loopDataInputRef>"
                + "</b:multiInstanceLoopCharacteristics></b:task>",
            at: "<b:loopDataInputRef", names: "loopDataInputRef"),
        Row(row: "data association assignment",
            body: #"<b:task id="t"><b:dataInputAssociation><b:assignment><b:from>=a</b:from><b:to>=b</b:to>"#
                + "</b:assignment></b:dataInputAssociation></b:task>",
            at: "<b:assignment>", names: "assignment"),
        Row(row: "transaction method ##Image",
            body: ###"<b:transaction id="c" method="##Image"><b:task id="in"/></b:transaction>"###,
            at: #"<b:transaction id="c""#, names: "method '##Image'"),
        Row(row: "sequential ad-hoc sub-process",
            body: #"<b:adHocSubProcess id="c" ordering="Sequential"><b:task id="in"/></b:adHocSubProcess>"#,
            at: #"<b:adHocSubProcess id="c""#, names: "ordering=\"Sequential\""),
        Row(row: "updating task listeners",
            body: #"<b:userTask id="c"><b:extensionElements><zeebe:userTask/><zeebe:taskListeners>"#
                + #"<zeebe:taskListener eventType="updating" type="audit"/></zeebe:taskListeners>"#
                + "</b:extensionElements></b:userTask>",
            at: "<zeebe:taskListener ", names: "updating task listeners"),
        Row(row: "canceling task listeners",
            body: #"<b:userTask id="c"><b:extensionElements><zeebe:userTask/><zeebe:taskListeners>"#
                + #"<zeebe:taskListener eventType="canceling" type="audit"/></zeebe:taskListeners>"#
                + "</b:extensionElements></b:userTask>",
            at: "<zeebe:taskListener ", names: "canceling task listeners"),
        Row(row: "conditional event variable filter",
            body: #"<b:intermediateCatchEvent id="c"><b:conditionalEventDefinition><b:extensionElements>"#
                + #"<zeebe:conditionalFilter variableNames="x"/></b:extensionElements><b:condition>=x</b:condition>"#
                + "</b:conditionalEventDefinition></b:intermediateCatchEvent>",
            at: #"<b:intermediateCatchEvent id="c">"#, names: "variable filters"),
        Row(row: "timer cycle on a one-shot timer",
            body: #"<b:intermediateCatchEvent id="c"><b:timerEventDefinition><b:timeCycle>R3/PT1M</b:timeCycle>"#
                + "</b:timerEventDefinition></b:intermediateCatchEvent>",
            at: "<b:timeCycle>", names: "timeCycle"),
        Row(row: "choreography",
            body: "", top: #"<b:choreography id="c"/>"#, at: #"<b:choreography id="c""#, names: "choreographies"),
    ]

    /// The process `s → t?` with `body` beside it: each row's element stands on its own.
    static func source(_ row: Row) -> String {
        bpmn("""
        \(row.top)
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          \(row.body)
        </b:process>
        """)
    }

    /// `line:col` of the first occurrence of `marker` in `source`.
    static func location(of marker: String, in source: String) -> String? {
        let expanded = marker.replacingOccurrences(of: "<b:", with: "<bpmn:")
        for (n, line) in source.components(separatedBy: "\n").enumerated() {
            guard let r = line.range(of: expanded) else { continue }
            return "\(n + 1):\(line.distance(from: line.startIndex, to: r.lowerBound) + 1)"
        }
        return nil
    }

    @Test(arguments: rows) func isRefusedAtItsLocation(_ row: Row) throws {
        let src = Self.source(row)
        let at = try #require(Self.location(of: row.at, in: src))
        do {
            _ = try BPMNDefinitionReader.read(source: src, file: "m.bpmn")
            Issue.record("\(row.row) was deployed")
        } catch {
            let found = error.errors.map(\.description)
            #expect(found.contains { $0.hasPrefix("m.bpmn:\(at): error:") && $0.contains(row.names) },
                    "expected a refusal at \(at) naming \(row.names); got \(found)")
        }
    }
}
