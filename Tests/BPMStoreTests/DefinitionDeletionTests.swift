import BPMEngine
import BPMStore
import Foundation
import Testing

/// Deleting a definition version (a decision's or a form's, Camunda's DeleteResource): later
/// reads omit it, and its version number is never given again.
@Suite struct DefinitionDeletionTests {
    @Test(arguments: StoreKind.allCases)
    func aDeletedVersionIsGoneAndItsNumberIsNotReused(_ kind: StoreKind) async throws {
        let (store, cleanup) = try await StoreContract.fresh(kind)
        defer { cleanup() }
        func save(_ source: String, _ hash: String) async throws -> DefinitionRecord {
            try await store.saveDefinition(
                id: "form:f", name: "f", format: "form", source: source, contentHash: hash, origin: "f.form", at: at)
        }
        _ = try await save("a", "h1")
        let v2 = try await save("b", "h2")
        #expect(try await store.deleteDefinition(id: "form:f", version: v2.version, at: at + 1))
        #expect(try await !store.deleteDefinition(id: "form:f", version: v2.version, at: at + 2), "deleted before")
        #expect(try await !store.deleteDefinition(id: "form:f", version: 9, at: at + 2), "no such version")
        #expect(try await store.definitions().map(\.version) == [1])
        let again = try await save("b", "h2")
        #expect(again.version == 3, "the same content deployed again is a new version")
        #expect(try await store.definitions().map(\.version) == [1, 3])
    }
}
