import BPMDecisions
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation

extension CamundaGateway {
    /// A resource read and checked, before anything is deployed.
    enum Checked {
        case process(name: String, source: String)
        case decisions(name: String, source: String, model: DecisionModel)
        case form(name: String, source: String, formId: String)
    }

    /// `DeployResource`: deploys every resource together (nothing when one is bad: its
    /// definition errors, `file:line:col: message`, as `invalidArgument`). `.bpmn` (and our
    /// `.yaml`) processes, `.dmn` decisions (one decision requirements graph per file) and
    /// `.form` JSON forms (kept, returned with their formKey, linked by `zeebe:formDefinition
    /// formId`). Identical content keeps its version and key, as Zeebe does.
    public func deploy(resources: [CamundaResource], tenantId: String? = nil) async throws -> CamundaDeployment {
        guard !resources.isEmpty else { throw CamundaError(.invalidArgument, "the deployment has no resources") }
        let checked = try resources.map(Self.check)
        var out = CamundaDeployment(
            key: try await keys.fresh(.deployment), tenantId: camundaDefaultTenant,
            processes: [], decisions: [], decisionRequirements: [], forms: [])
        for c in checked {
            switch c {
            case .process(let name, let source):
                let deployed = try await camunda { try await runtime.deployDetailed(source: source, file: name) }
                for d in deployed {
                    out.processes.append(
                        CamundaProcessMetadata(
                            bpmnProcessId: d.definition.id, version: Int32(d.version),
                            processDefinitionKey: try await definitionKey(d.definition.id, d.version),
                            resourceName: name, tenantId: camundaDefaultTenant))
                }
            case .decisions(let name, let source, let model):
                try await deployDecisions(name: name, source: source, model: model, into: &out)
            case .form(let name, let source, let formId):
                let rec = try await camunda {
                    try await runtime.store.saveDefinition(
                        id: "form:" + formId, name: formId, format: "form", source: source,
                        contentHash: DefinitionLoader.contentHash(source), origin: name, at: runtime.clock.now())
                }
                out.forms.append(
                    CamundaFormMetadata(
                        formId: formId, version: Int32(rec.version),
                        formKey: try await keys.key(.form, Self.definitionRef(formId, rec.version)),
                        resourceName: name, tenantId: camundaDefaultTenant))
            }
        }
        return out
    }

    /// Reads a resource by its name's extension; bad ones are `invalidArgument` with where.
    static func check(_ r: CamundaResource) throws -> Checked {
        guard let source = String(data: r.content, encoding: .utf8) else {
            throw CamundaError(.invalidArgument, "\(r.name):1:1: error: the resource is not UTF-8 text")
        }
        let ext = (r.name as NSString).pathExtension.lowercased()
        do {
            switch ext {
            case "bpmn", "xml", "yaml", "yml":
                let defs = try DefinitionLoader.parseAll(source: source, file: r.name).filter(\.isExecutable)
                if defs.isEmpty {
                    throw CamundaError(
                        .invalidArgument,
                        "\(r.name):1:1: error: the file has no executable process (isExecutable=\"true\")")
                }
                return .process(name: r.name, source: source)
            case "dmn":
                return .decisions(
                    name: r.name, source: source, model: try DecisionRegistry.parse(source: source, file: r.name))
            case "form":
                guard case .context(let form) = try JSON.parse(source), let id = form["id"]?.stringValue, !id.isEmpty
                else {
                    throw CamundaError(.invalidArgument, "\(r.name):1:1: error: a form is a JSON object with an 'id'")
                }
                return .form(name: r.name, source: source, formId: id)
            default:
                throw CamundaError(
                    .invalidArgument,
                    "\(r.name):1:1: error: unsupported resource, expected a .bpmn, .dmn or .form file")
            }
        } catch let e as JSON.ParseError {
            throw CamundaError(.invalidArgument, "\(r.name):1:1: error: \(e)")
        } catch {
            throw CamundaError(error)
        }
    }

    private func deployDecisions(
        name: String, source: String, model: DecisionModel,
        into out: inout CamundaDeployment
    ) async throws {
        _ = try await camunda { try await runtime.deployDetailed(source: source, file: name) }
        let stored = try await camunda { try await runtime.store.definitions() }
        func version(_ id: String) -> Int { stored.filter { $0.id == id }.map(\.version).max() ?? 1 }
        let drgId = model.name
        let drgVersion = model.decisions.map { version("decision:" + $0.id) }.max() ?? 1
        let drgKey = try await keys.key(.decisionRequirements, Self.definitionRef(drgId, drgVersion))
        out.decisionRequirements.append(
            CamundaDecisionRequirementsMetadata(
                dmnDecisionRequirementsId: drgId, dmnDecisionRequirementsName: model.name, version: Int32(drgVersion),
                decisionRequirementsKey: drgKey, resourceName: name, tenantId: camundaDefaultTenant))
        for d in model.decisions {
            let v = version("decision:" + d.id)
            out.decisions.append(
                CamundaDecisionMetadata(
                    dmnDecisionId: d.id, dmnDecisionName: d.name, version: Int32(v),
                    decisionKey: try await keys.key(.decision, Self.definitionRef(d.id, v)),
                    dmnDecisionRequirementsId: drgId, decisionRequirementsKey: drgKey, tenantId: camundaDefaultTenant))
        }
    }
}
