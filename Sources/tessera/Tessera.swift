import ArgumentParser

/// The `tessera` command: server, migrations, tenants and packs.
@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "A multi-tenant, metadata-driven low-code app-builder server on PostgreSQL.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, PackCommand.self]
    )
}
