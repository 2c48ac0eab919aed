import ArgumentParser
import Foundation
import TesseraApp
import TesseraCore
import TesseraStore

/// `tessera pack list|install|upgrade|validate`.
struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack", abstract: "Template packs.", subcommands: [List.self, Install.self, Upgrade.self, Validate.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the packs in the template market; with --tenant, the version installed there and whether an upgrade is available.")
        @OptionGroup var options: CommonOptions
        @Option(help: "A tenant's slug: show what it has installed.") var tenant: String?

        func run() async throws {
            let library = PackLibrary(root: options.packsURL())
            let ids = library.ids()
            if ids.isEmpty { Console.line("No packs under \(library.root.path)") }
            var installed: [String: String] = [:]
            if let tenant {
                installed = try await options.withRuntime(logger: options.makeLogger()) { runtime in
                    guard let target = try await runtime.tenants.find(slug: tenant) else { throw ValidationError("No tenant '\(tenant)'.") }
                    return Dictionary(try await runtime.installer.installed(in: target), uniquingKeysWith: { a, _ in a })
                }
            }
            for id in ids {
                do {
                    let pack = try library.load(id)
                    let entry = pack.catalogueJSON(installed: installed[id])
                    let contents = (entry["contents"]?.objectValue ?? []).filter { ($0.1.intValue ?? 0) > 0 }
                        .map { "\($0.1.intValue ?? 0) \($0.0.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
                    var line = "\(pack.id)\t\(pack.version)\t\(pack.name["zh-CN"] ?? pack.name.preferred) / \(pack.name.preferred)\t\(contents)"
                    if tenant != nil {
                        let state = installed[id].map { "installed \($0)" + (entry["upgrade_available"] == .bool(true) ? ", upgrade available" : "") }
                        line += "\t" + (state ?? "not installed")
                    }
                    Console.line(line)
                } catch {
                    Console.line("\(id)\tINVALID: \(error.message)")
                }
            }
        }
    }

    struct Upgrade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upgrade an installed pack to the market's version, keeping the tenant's changes (one transaction, one revision).")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The pack id, e.g. sales.") var pack: String
        @Option(help: "The tenant's slug.") var tenant: String
        @Flag(name: .customLong("dry-run"), help: "Show the plan and the conflicts; change nothing.") var dryRun = false
        @Option(help: "A conflict to resolve for the pack's value (repeatable), e.g. entity:lead/field:phone.label.") var accept: [String] = []

        func run() async throws {
            let logger = options.makeLogger()
            try await options.withRuntime(logger: logger) { runtime in
                guard let target = try await runtime.tenants.find(slug: tenant) else { throw ValidationError("No tenant '\(tenant)'.") }
                do {
                    let result = try await runtime.installer.upgrade(pack, in: target, actor: nil, dryRun: dryRun, accept: Set(accept))
                    let r = result.report
                    Console.line(
                        """
                        \(dryRun ? "Would upgrade" : "Upgraded") \(result.pack.id) \(result.from) → \(result.pack.version) in \(tenant) \
                        (revision \(result.applied.revision), \(String(format: "%.1f", result.milliseconds)) ms): \(r.updated.count) updated, \
                        \(r.kept.count) kept, \(r.added.count) added, \(r.deactivated.count) deactivated, \(r.stayDeleted.count) stay deleted, \
                        \(r.accepted.count) accepted, \(r.conflicts.count) conflicts
                        """)
                    for conflict in r.conflicts {
                        Console.line(
                            "  conflict \(conflict.id): yours \(JSONWriter.string(conflict.ours)), the pack's \(JSONWriter.string(conflict.theirs))")
                    }
                } catch let error as TesseraError {
                    throw ValidationError(error.message + error.details.map { "\n  " + $0.message }.joined())
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
