public import Foundation

/// What `tessera pack validate <dir>` runs: the pack decoded and its install planned exactly as
/// installing does (the same decoders and cross-reference checks), without a database.
public enum PackValidator {
    /// The pack when it is valid, else every problem found, each naming its file and path.
    public struct Report: Sendable {
        public let pack: PackManifest?
        public let problems: [TesseraError.Detail]
    }

    /// `folder` is a pack folder (`templates-market/sales`); its name is the pack id.
    public static func validate(folder: URL) -> Report {
        let folder = folder.standardizedFileURL
        let library = PackLibrary(root: folder.deletingLastPathComponent())
        do throws(TesseraError) {
            let pack = try library.load(folder.lastPathComponent)
            _ = try PackPlanner.install(pack)
            return Report(pack: pack, problems: [])
        } catch {
            return Report(pack: nil, problems: error.details.isEmpty ? [.init(field: nil, rule: error.code, message: error.message)] : error.details)
        }
    }
}
