import NIOCore
import PostgresNIO

/// A value sent in PostgreSQL's text format under its real type (numeric, uuid, timestamptz…),
/// so the statement's parameter has that type. A text parameter cast in SQL (`$1::numeric`)
/// would be converted again for every row a generic plan filters.
struct TypedText: PostgresDynamicTypeEncodable {
    let text: String
    let psqlType: PostgresDataType

    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }

    /// The parameter type for a cast the SQL builder writes, when the value can travel as text.
    static func type(forCast cast: String?) -> PostgresDataType? {
        switch cast {
        case "numeric": .numeric
        case "uuid": .uuid
        case "timestamptz": .timestamptz
        case "timestamp": .timestamp
        case "date": .date
        case "float8": .float8
        case "bigint": .int8
        case "jsonb": .jsonb
        default: nil
        }
    }
}
