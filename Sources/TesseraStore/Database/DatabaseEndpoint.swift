import Foundation
public import PostgresNIO
public import TesseraCore

/// Where PostgreSQL is and how to log in; from a `postgres://` URL or the embedded launcher.
public struct DatabaseEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: Bool

    public init(host: String, port: Int, username: String, password: String?, database: String, tls: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
    public init(url: String) throws(TesseraError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else { throw .badRequest("DATABASE_URL must look like postgres://user:password@host:5432/database") }
        self.host = host
        port = components.port ?? 5432
        username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.drop(while: { $0 == "/" })
        database = path.isEmpty ? username : String(path)
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        tls = sslmode == "require" || sslmode == "verify-full"
    }

    public var connectionConfiguration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls ? .require(try! .init(configuration: .makeClientConfiguration())) : .disable)
    }

    /// A URL form, e.g. for psql or pgbench (password included: do not log it).
    public var url: String {
        let user = username.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? username
        let pass = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "postgres://\(user)\(pass)@\(host):\(port)/\(database)?sslmode=\(tls ? "require" : "disable")"
    }
}
