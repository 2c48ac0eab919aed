import Foundation
import Hummingbird
import NIOCore
import TesseraApp
import TesseraCore
import TesseraStore

/// Upload (`POST /api/v1/files?name=…`, raw body) and download of files that attachment fields reference.
struct FileRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/files", runtime: runtime)
        group.post { request, context -> Response in
            let caller = context.caller
            if let length = request.headers[.contentLength].flatMap(Int.init), length > runtime.files.maxSize {
                throw TesseraError.payloadTooLarge(limit: runtime.files.maxSize)
            }
            let name = try request.queryPairs.first { $0.0 == "name" }?.1 ?? "file"
            let type = request.headers[.contentType] ?? "application/octet-stream"
            let stored = try await runtime.files.save(caller, name: name, contentType: type, body: request.body)
            return JSONResponse.make(.created, stored.json)
        }
        group.get(":id") { _, context -> Response in
            let caller = context.caller
            let (file, path) = try await runtime.files.find(caller, id: try context.parameters.required("id"))
            guard let data = FileManager.default.contents(atPath: path) else { throw TesseraError.notFound(AccountMessage.fileContentMissing) }
            var headers: HTTPFields = [:]
            headers[.contentType] = file.contentType
            let encoded = file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
            headers[.contentDisposition] = "attachment; filename*=UTF-8''\(encoded)"
            headers[.init("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
