import BPMExpressions
import BPMModel
import Foundation
import Testing

let conformance = repoRoot.appendingPathComponent("../shared/conformance")

func bpmn(_ body: String, prefix: String = "bpmn", extraNS: String = "") -> String {
    let p = prefix.isEmpty ? "" : "\(prefix):"
    let decl = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
    return """
    <?xml version="1.0" encoding="UTF-8"?>
    <\(p)definitions \(decl)="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" \(extraNS) id="d">
    \(body.replacingOccurrences(of: "<b:", with: "<\(p)").replacingOccurrences(of: "</b:", with: "</\(p)"))
    </\(p)definitions>
    """
}

@Suite struct BPMNReaderTests {
    static let simple = """
    <b:process id="p" isExecutable="true">
      <b:startEvent id="s"/>
      <b:serviceTask id="call"><b:extensionElements><zeebe:taskDefinition type="work" retries="3"/></b:extensionElements></b:serviceTask>
      <b:exclusiveGateway id="g" default="f3"/>
      <b:endEvent id="e"/>
      <b:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
      <b:sequenceFlow id="f2" sourceRef="call" targetRef="g"/>
      <b:sequenceFlow id="f3" sourceRef="g" targetRef="e"/>
      <b:sequenceFlow id="f4" sourceRef="g" targetRef="e"><b:conditionExpression>= x &gt; 1</b:conditionExpression></b:sequenceFlow>
    </b:process>
    """

    @Test(arguments: ["bpmn", "bpmn2", "semantic", "model", ""])
    func anyNamespacePrefix(prefix: String) throws {
        let defs = try BPMNDefinitionReader.read(source: bpmn(Self.simple, prefix: prefix), file: "p.bpmn")
        #expect(defs.count == 1)
        let d = defs[0]
        #expect(d.elements.map(\.id) == ["s", "call", "g", "e"])
        #expect(d.element("g")?.defaultFlow == "f3")
        #expect(d.flow("f4")?.condition?.source == " x > 1")
        guard case .serviceTask(let t) = d.element("call")?.kind else { Issue.record("not a service task"); return }
        #expect(t.action == "work")
        #expect(t.retry.retries == 2, "Zeebe's retries count attempts")
    }

    @Test func collaborationsLanesAndDiagramInterchange() throws {
        let src = bpmn("""
        <b:collaboration id="c">
          <b:participant id="pool1" name="Orders" processRef="p1"/>
          <b:participant id="pool2" name="Billing" processRef="p2"/>
          <b:messageFlow id="m" sourceRef="t1" targetRef="t2"/>
        </b:collaboration>
        <b:process id="p1" isExecutable="true">
          <b:laneSet><b:lane id="l1"><b:flowNodeRef>s1</b:flowNodeRef></b:lane></b:laneSet>
          <b:startEvent id="s1"><b:documentation>Begins here</b:documentation></b:startEvent>
          <b:task id="t1"/>
          <b:sequenceFlow id="a" sourceRef="s1" targetRef="t1"/>
        </b:process>
        <b:process id="p2" isExecutable="false">
          <b:startEvent id="s2"/><b:task id="t2"/>
          <b:sequenceFlow id="b" sourceRef="s2" targetRef="t2"/>
        </b:process>
        <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="pl" bpmnElement="c">
          <bpmndi:BPMNShape id="sh1" bpmnElement="s1"><dc:Bounds x="10" y="20" width="36" height="36"/></bpmndi:BPMNShape>
          <bpmndi:BPMNEdge id="e1" bpmnElement="a"><di:waypoint x="46" y="38"/><di:waypoint x="100" y="38"/></bpmndi:BPMNEdge>
        </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
        """, extraNS: #"xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI""#)
        let defs = try BPMNDefinitionReader.read(source: src, file: "c.bpmn")
        #expect(defs.map(\.id) == ["p1", "p2"])
        #expect(defs.map(\.isExecutable) == [true, false])
        #expect(defs[0].name == "Orders")
        #expect(defs[0].documentation["s1"] == "Begins here")
        #expect(defs[0].diagram?.shapes["s1"] == Diagram.Bounds(x: 10, y: 20, width: 36, height: 36))
        #expect(defs[0].diagram?.edges["a"] == [Diagram.Point(x: 46, y: 38), Diagram.Point(x: 100, y: 38)])
    }

    @Test func unsupportedElementsAreRejectedWithTheirLocation() {
        let src = bpmn("""
        <b:process id="p" isExecutable="true">
          <b:startEvent id="s"/>
          <b:adHocSubProcess id="tx"/>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="tx"/>
        </b:process>
        """)
        do {
            _ = try BPMNDefinitionReader.read(source: src, file: "x.bpmn")
            Issue.record("accepted an unsupported element")
        } catch {
            #expect(error.errors.map(\.description) == [
                "x.bpmn:5:3: error: ad-hoc sub-process 'tx' has no activity: it needs at least one",
            ])
        }
    }

    @Test func serviceTasksOfExecutableProcessesNeedAJobType() {
        let src = bpmn("""
        <b:process id="p" isExecutable="true"><b:startEvent id="s"/><b:serviceTask id="t"/>
          <b:sequenceFlow id="f" sourceRef="s" targetRef="t"/></b:process>
        """)
        #expect(throws: DefinitionErrors.self) { try BPMNDefinitionReader.read(source: src, file: "x.bpmn") }
    }

    @Test func noDTDsNoExternalEntities() {
        let evil = """
        <?xml version="1.0"?>
        <!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">&xxe;</process></definitions>
        """
        do {
            _ = try BPMNDefinitionReader.read(source: evil, file: "evil.bpmn")
            Issue.record("accepted a DTD")
        } catch {
            #expect(error.errors.first?.description == "evil.bpmn:2:1: error: DOCTYPE declarations are not allowed (no DTDs or external entities)")
        }
    }

    @Test func malformedXMLHasALocation() {
        do {
            _ = try BPMNDefinitionReader.read(source: "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n<process id=\"p\">\n</definitions>", file: "bad.bpmn")
            Issue.record("accepted malformed XML")
        } catch {
            #expect(error.errors.first?.description == "bad.bpmn:1:1: error: XML syntax: element <definitions> is never closed")
            #expect(error.errors.first?.message.hasPrefix("XML syntax:") == true)
        }
    }

    /// Every MIWG reference model imports, or is rejected only for elements not supported yet,
    /// each named with its line.
    @Test func miwgReferenceModels() throws {
        let dir = conformance.appendingPathComponent("bpmn-miwg")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bpmn") }.sorted()
        #expect(files.count == 8)
        var imported: [String] = []
        var rejected: [String: [String]] = [:]
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            do {
                let defs = try BPMNDefinitionReader.read(source: text, file: f)
                #expect(!defs.isEmpty)
                // every element the file draws keeps its shape in the model
                let drawn = Set(text.components(separatedBy: "bpmnElement=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) })
                for d in defs {
                    for e in d.elements where drawn.contains(e.id) {
                        #expect(d.diagram?.shapes[e.id] != nil, "\(f): \(e.id) lost its shape")
                    }
                    for fl in d.flows where drawn.contains(fl.id) {
                        #expect(d.diagram?.edges[fl.id]?.isEmpty == false, "\(f): \(fl.id) lost its waypoints")
                    }
                }
                imported.append(f)
            } catch {
                for e in error.errors {
                    #expect(e.message.hasPrefix("unsupported element 'bpmn:"), "\(f): \(e)")
                    #expect(e.location.line > 1)
                }
                rejected[f] = error.errors.map(\.message)
            }
        }
        print("MIWG: \(imported.count) of \(files.count) imported (\(imported.joined(separator: ", "))); rejected: "
            + rejected.keys.sorted().map { "\($0) (\(rejected[$0]!.count) unsupported element(s))" }.joined(separator: ", "))
        #expect(imported.count >= 6)
    }
}
