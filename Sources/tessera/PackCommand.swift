import ArgumentParser
import Foundation
import TesseraApp
import TesseraCore
import TesseraStore

/// `tessera pack list|install|validate`.
struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack", abstract: "Template packs.", subcommands: [List.self, Install.self, Validate.self])

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

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pack folder with the decoders and checks installing runs (no database); list every problem.")
        @Argument(help: "The pack folder, e.g. templates-market/sales.") var folder: String

        func run() async throws {
            let report = PackValidator.validate(folder: URL(fileURLWithPath: folder))
            if let pack = report.pack {
                let counts = "\(pack.entities.count) entities, \(pack.roles.count) roles, \(pack.automations.count) automations"
                let layouts =
                    "\(pack.assignmentRules.count) assignment rules, \(pack.views.count) views, \(pack.forms.count) forms, "
                    + "\(pack.approvals.count) approval processes, \(pack.dashboards.count) dashboards"
                Console.line("\(pack.id) \(pack.version): valid (\(counts), \(layouts))")
                return
            }
            for problem in report.problems { Console.line(problem.message + (problem.field.map { "  [\($0)]" } ?? "")) }
            Console.line("\(report.problems.count) problem(s)")
            throw ExitCode(1)
        }
    }
}
