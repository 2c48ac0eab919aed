import ArgumentParser
import NIOCore
import NIOPosix

/// The `tessera` command: server, migrations, tenants and packs.
@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "A multi-tenant, metadata-driven low-code app-builder server on PostgreSQL.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, PackCommand.self]
    )

    static func main() async {
        // Run Swift Concurrency on NIO's event loops: handlers and PostgreSQL I/O then share
        // threads instead of hopping between two pools on every await (see bench/README.md).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
