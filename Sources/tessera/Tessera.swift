import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// The `tessera` command: server, migrations, tenants and packs.
@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "A multi-tenant, metadata-driven low-code app-builder server on PostgreSQL.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, PackCommand.self, OpenAPICommand.self]
    )

    static func main() async {
        // TESSERA_EVENT_LOOPS sets the number of NIO threads (default: one per core).
        if let loops = ProcessInfo.processInfo.environment["TESSERA_EVENT_LOOPS"].flatMap(Int.init), loops > 0 {
            NIOSingletons.groupLoopCountSuggestion = loops
        }
        // Run Swift Concurrency on NIO's event loops: handlers and PostgreSQL I/O then share
        // threads instead of hopping between two pools on every await (see bench/README.md).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
