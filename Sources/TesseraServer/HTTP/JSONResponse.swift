import Hummingbird
import NIOCore
import TesseraCore

/// Builds JSON responses from `JSONValue`s or from JSON text PostgreSQL already produced.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, text: String, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: json(headers), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, bytes: JSONWriter.bytes(value), headers: headers)
    }

    static func make(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: json(headers), body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func json(_ headers: HTTPFields) -> HTTPFields {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return fields
    }
}

/// The error shape as a response; the only place a `TesseraError` becomes HTTP.
enum TesseraErrorResponse {
    static func make(_ error: TesseraError) -> Response {
        var headers: HTTPFields = [:]
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        return JSONResponse.make(.init(code: error.status), error.json, headers: headers)
    }
}
