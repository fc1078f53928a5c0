import BPMAPI
import OpenAPIRuntime

/// The definition editor's operations: check, draw and test-run a text without deploying it.
extension OwnAPIHandler {
    func validateDefinition(_ input: Operations.ValidateDefinition.Input) async throws
        -> Operations.ValidateDefinition.Output
    {
        try await json { x in try api.validate(x.body, x.request, contentType: API.header(x.request, "Content-Type")) }
    }

    func previewDefinition(_ input: Operations.PreviewDefinition.Input) async throws
        -> Operations.PreviewDefinition.Output
    {
        try await reply { x in try api.preview(x.body, x.request, contentType: API.header(x.request, "Content-Type")) }
    }

    func testRunDefinition(_ input: Operations.TestRunDefinition.Input) async throws
        -> Operations.TestRunDefinition.Output
    {
        try await json { x in try await api.testRun(x.body) }
    }
}

extension Operations.ValidateDefinition.Output: RepliedOutput {}
extension Operations.PreviewDefinition.Output: RepliedOutput {}
extension Operations.TestRunDefinition.Output: RepliedOutput {}
