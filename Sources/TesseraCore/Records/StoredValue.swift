/// A field value after coercion, in the form the store binds it.
public enum StoredValue: Sendable, Equatable {
    case null
    /// Text the database casts to the column type (text, numeric, date, timestamptz, uuid…).
    case text(String)
    case integer(Int64)
    case bool(Bool)
    /// multi_select keys or attachment ids.
    case textArray([String])
    /// A JSON document (location).
    case json(String)
}
