import ArgumentParser
import TesseraApp
import TesseraCore
import TesseraStore

/// `tessera tenant create|list`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant and print its admin API key (shown once).")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The tenant's slug (lowercase letters, digits, _).") var slug: String
        @Option(help: "The tenant's display name.") var name: String
        @Option(name: .customLong("time-zone"), help: "IANA time zone for day-based rules.") var timeZone = "Asia/Shanghai"
        @Option(help: "Install this pack right away.") var pack: [String] = []

        func run() async throws {
            let logger = options.makeLogger()
            try await options.withRuntime(logger: logger) { runtime in
                do {
                    let (tenant, key) = try await runtime.createTenant(slug: slug, name: name, timeZone: timeZone, packs: pack)
                    Console.line(JSONWriter.string(.object([("tenant", tenant.json), ("api_key", .string(key))])))
                } catch let error as TesseraError {
                    throw ValidationError(error.message + error.details.map { " " + $0.message }.joined())
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let logger = options.makeLogger()
            try await options.withRuntime(logger: logger) { runtime in
                for tenant in try await runtime.tenants.list() { Console.line("\(tenant.slug)\t\(tenant.name)\t\(tenant.timeZone)") }
            }
        }
    }
}
