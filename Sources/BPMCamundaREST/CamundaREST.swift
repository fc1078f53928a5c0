import BPMCamunda
import BPMServer
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Camunda 8's Orchestration Cluster REST API (v2) under `/v2` on the HTTP port: the routes come from the generated
/// code of our OpenAPI document (Sources/BPMCamundaREST/openapi.yaml), the handlers call the `CamundaGateway`
/// facade, every error is a problem detail. The router's auth middleware applies (see `AuthMiddleware`).
public enum CamundaREST {
    /// Adds the v2 routes to a router. `host` and `port` are what the topology reports for the broker.
    public static func register(on router: Router<BasicRequestContext>, gateway: CamundaGateway,
                                host: String, port: Int)
    {
        let handler = V2Handler(gateway: gateway, host: host, port: Int32(clamping: port))
        do {
            try handler.registerHandlers(on: router, serverURL: URL(string: "/v2")!,
                                         middlewares: [V2ProblemMiddleware()])
        } catch {
            // the generated registration fails only for a malformed server URL, which is the constant above
            preconditionFailure("the REST v2 routes do not register: \(error)")
        }
    }
}

/// The generated `APIProtocol`, implemented over the facade (one file per tag).
struct V2Handler: APIProtocol {
    let gateway: CamundaGateway
    let host: String
    let port: Int32

    // MARK: cluster

    func getTopology(_ input: Operations.GetTopology.Input) async throws -> Operations.GetTopology.Output {
        let t = gateway.topology(host: host, port: port)
        let brokers = t.brokers.map { b in
            Components.Schemas.BrokerInfo(
                nodeId: b.nodeId, host: b.host, port: b.port,
                partitions: b.partitions.map { p in
                    .init(partitionId: p.partitionId,
                          role: .init(rawValue: p.role.rawValue.lowercased()) ?? .inactive,
                          health: .init(rawValue: p.health.rawValue.lowercased()) ?? .dead)
                },
                version: b.version)
        }
        return .ok(.init(body: .json(.init(
            brokers: brokers, clusterId: nil, clusterSize: t.clusterSize, partitionsCount: t.partitionsCount,
            replicationFactor: t.replicationFactor, gatewayVersion: t.gatewayVersion, lastCompletedChangeId: "-1"))))
    }

    func getStatus(_ input: Operations.GetStatus.Input) async throws -> Operations.GetStatus.Output {
        do { _ = try await gateway.runtime.store.countInstances(status: .running) } catch {
            throw V2Problem(.serviceUnavailable, "UNAVAILABLE", "the store is unavailable: \(error)")
        }
        return .noContent(.init())
    }

    // MARK: deployments

    func createDeployment(_ input: Operations.CreateDeployment.Input) async throws
        -> Operations.CreateDeployment.Output
    {
        guard case .multipartForm(let parts) = input.body else { throw V2Problem.invalid("send multipart/form-data") }
        var resources: [CamundaResource] = []
        var tenantId: String?
        for try await part in parts {
            switch part {
            case .resources(let r):
                guard let name = r.filename, !name.isEmpty else {
                    throw V2Problem.invalid("each 'resources' part needs a file name (Content-Disposition filename)")
                }
                let data = try await Data(collecting: r.payload.body, upTo: 64 << 20)
                resources.append(CamundaResource(name: name, content: data))
            case .tenantId(let t):
                tenantId = String(decoding: try await Data(collecting: t.payload.body, upTo: 4096), as: UTF8.self)
            case .undocumented(let raw):
                let name = raw.headerFields[.contentDisposition] ?? "a part without a name"
                throw V2Problem.invalid("unknown part (\(name)): send 'resources' parts and an optional 'tenantId'")
            }
        }
        guard !resources.isEmpty else { throw V2Problem.invalid("the deployment needs at least one 'resources' part") }
        let d = try await gateway.deploy(resources: resources, tenantId: tenantId)
        return .ok(.init(body: .json(V2Deployments.result(d))))
    }

    // MARK: process instances

    func createProcessInstance(_ input: Operations.CreateProcessInstance.Input) async throws
        -> Operations.CreateProcessInstance.Output
    {
        guard case .json(let body) = input.body else { throw V2Problem.invalid("send application/json") }
        let request = try V2Instances.creation(body)
        if body.awaitCompletion == true {
            let r = try await gateway.createInstanceWithResult(request, requestTimeout: body.requestTimeout ?? 0,
                                                               fetchVariables: body.fetchVariables ?? [])
            return .ok(.init(body: .json(try V2Instances.created(r.instance, variables: r.variables,
                                                                 tags: body.tags ?? []))))
        }
        let created = try await gateway.createInstance(request)
        return .ok(.init(body: .json(try V2Instances.created(created, variables: [:], tags: body.tags ?? []))))
    }

    func cancelProcessInstance(_ input: Operations.CancelProcessInstance.Input) async throws
        -> Operations.CancelProcessInstance.Output
    {
        try await gateway.cancelInstance(key: V2.key(input.path.processInstanceKey, "processInstanceKey"))
        return .noContent(.init())
    }

    func getProcessInstance(_ input: Operations.GetProcessInstance.Input) async throws
        -> Operations.GetProcessInstance.Output
    {
        let key = try V2.key(input.path.processInstanceKey, "processInstanceKey")
        var filter = CamundaInstanceFilter()
        filter.processInstanceKey = key
        guard let item = try await gateway.searchInstances(filter, page: CamundaPage(limit: 1)).items.first else {
            throw V2Problem(.notFound, "NOT_FOUND", "no process instance with key \(key)")
        }
        return .ok(.init(body: .json(V2Instances.result(item))))
    }

    func searchProcessInstances(_ input: Operations.SearchProcessInstances.Input) async throws
        -> Operations.SearchProcessInstances.Output
    {
        var query = Components.Schemas.ProcessInstanceSearchQuery()
        if case .json(let q) = input.body { query = q }
        let (sort, page) = try V2Search.sortAndPage(query.sort, query.page)
        let r = try await gateway.searchInstances(try V2Instances.filter(query.filter), sort: sort, page: page)
        return .ok(.init(body: .json(.init(items: r.items.map(V2Instances.result),
                                           page: V2Search.page(r.totalItems, page, count: r.items.count)))))
    }
}
