/// One step of turning a metadata change into database structure; the store renders it to DDL.
public enum SchemaChange: Sendable, Equatable {
    case createTable(EntityDefinition)
    case dropTable(entity: String)
    case addColumn(entity: String, field: FieldDefinition)
    /// The removed field's column is kept, renamed out of the API's reach, for the tenant's
    /// retention period: a revert brings its values back (the store names and registers it).
    case retainColumn(entity: String, field: FieldDefinition)
    /// A field coming back (a revert): its most recently retained column of the same type is
    /// renamed back, values and all; without one, a new empty column is added.
    case restoreColumn(entity: String, field: FieldDefinition)
    case changeColumnType(entity: String, from: FieldDefinition, to: FieldDefinition)
    case createIndex(entity: String, field: FieldDefinition)
    case dropIndex(entity: String, field: FieldDefinition)
    case createUnique(entity: String, field: FieldDefinition)
    case dropUnique(entity: String, field: FieldDefinition)
    case addForeignKey(entity: String, field: FieldDefinition)
    case dropForeignKey(entity: String, field: FieldDefinition)
    case createCounter(entity: String, field: FieldDefinition)
    case dropCounter(entity: String, field: FieldDefinition)
    /// The index a duplicate rule's lookups use (its normalized match fields).
    case createMatchIndex(entity: String, rule: ValidationRule)
    case dropMatchIndex(entity: String, rule: String)
    /// Refuse the change if rows exist that the new definition would not accept.
    case checkRows(entity: String, check: RowCheck)
}

/// A condition existing rows must meet before a change may go ahead.
public enum RowCheck: Sendable, Equatable {
    /// No row may still use these option keys of the field.
    case optionsUnused(field: FieldDefinition, keys: [String])
    /// Every row must convert from the old definition to the new one.
    case convertible(from: FieldDefinition, to: FieldDefinition)
    /// Every non-null value must fit the tightened constraints of `to`.
    case withinConstraints(field: FieldDefinition)
    /// No two live records may share a value of the field (before it becomes unique).
    case noDuplicates(field: FieldDefinition)
    /// The table must hold no records (deleted ones included), unless the caller forces it.
    case noRecords
}
