import Foundation
import TesseraStore

/// How to run one server instance.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var database: DatabaseEndpoint
    public var packsDirectory: URL
    public var adminToken: String

    public init(host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String, database: DatabaseEndpoint, packsDirectory: URL, adminToken: String) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.database = database
        self.packsDirectory = packsDirectory
        self.adminToken = adminToken
    }
}
