import ArgumentParser
import Foundation
import TesseraApp
import TesseraCore
import TesseraStore

/// `tessera pack list|install`.
struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pack", abstract: "Template packs.", subcommands: [List.self, Install.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the packs in the template market.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let library = PackLibrary(root: options.packsURL())
            let ids = library.ids()
            if ids.isEmpty { Console.line("No packs under \(library.root.path)") }
            for id in ids {
                do {
                    let pack = try library.load(id)
                    Console.line(
                        """
                        \(pack.id)\t\(pack.version)\t\(pack.name["zh-CN"] ?? pack.name.preferred) / \
                        \(pack.name.preferred)\t\(pack.entities.count) entities
                        """
                    )
                } catch {
                    Console.line("\(id)\tINVALID: \(error.message)")
                }
            }
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Install a pack into a tenant (one transaction).")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The pack id, e.g. sales.") var pack: String
        @Option(help: "The tenant's slug.") var tenant: String

        func run() async throws {
            let logger = options.makeLogger()
            try await options.withRuntime(logger: logger) { runtime in
                guard let target = try await runtime.tenants.find(slug: tenant) else { throw ValidationError("No tenant '\(tenant)'.") }
                do {
                    let result = try await runtime.installer.install(pack, into: target, actor: nil)
                    Console.line(
                        """
                        Installed \(result.pack.id) \(result.pack.version) into \(tenant): \(result.pack.entities.count) entities in \
                        \(String(format: "%.1f", result.milliseconds)) ms
                        """
                    )
                } catch let error as TesseraError {
                    throw ValidationError(error.message + error.details.map { "\n  " + $0.message }.joined())
                }
            }
        }
    }
}
