import ArgumentParser
import Foundation
import TesseraApp
import TesseraCore
import TesseraStore

/// `tessera openapi --tenant <slug>`: the tenant's OpenAPI document on standard output, as
/// `GET /api/v1/openapi.json` serves it to an admin (or to the roles named).
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print a tenant's OpenAPI document (as GET /api/v1/openapi.json serves it).")
    @OptionGroup var options: CommonOptions
    @Option(help: "The tenant's slug.") var tenant: String
    @Option(help: "3.0 (the default) or 3.1.") var version: String = "3.0"
    @Option(help: "The document for callers holding these roles (comma-separated) instead of an admin.") var roles: String = "admin"

    func run() async throws {
        guard let openAPI = OpenAPIVersion(query: version) else { throw ValidationError("--version: use 3.0 or 3.1, not '\(version)'.") }
        let bytes = try await options.withRuntime(logger: options.makeLogger()) { runtime in
            guard let target = try await runtime.tenants.find(slug: tenant) else { throw ValidationError("No tenant '\(tenant)'.") }
            let current = try await runtime.metadata.metadata(for: target)
            return current.openAPI(for: roles.split(separator: ",").map { String($0) }, version: openAPI)
        }
        FileHandle.standardOutput.write(Data(bytes + [UInt8(ascii: "\n")]))
    }
}
