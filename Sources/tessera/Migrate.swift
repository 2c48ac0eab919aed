import ArgumentParser
import TesseraStore

/// `tessera migrate`: apply control-schema migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the control-schema migrations.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let logger = options.makeLogger()
        try await options.withRuntime(logger: logger) { _ in
            Console.line("Control schema is up to date (version \(ControlSchema.migrations.last?.version ?? 0)).")
        }
    }
}
