import TesseraCore

/// Existing tenants' entity tables get the indexes `DDLRenderer` now makes: the field and owner
/// indexes (`ix_…`, `ox_…`, btree) rebuilt with `WHERE deleted_at IS NULL`, and one index of live
/// ids per table. Idempotent: a rebuilt index has a predicate and is left alone; the ids index is
/// made only where the table has no partial index on `id` alone.
enum LiveRowIndexes {
    static func migrate(schema: String) -> String {
        """
        DO $$
        DECLARE t record; i record; definition text;
        BEGIN
          FOR t IN SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = \(SQLLiteral.string(schema)) AND c.relkind = 'r'
                     AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'deleted_at' AND NOT a.attisdropped)
                     AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'owner_id' AND NOT a.attisdropped)
          LOOP
            FOR i IN SELECT x.indexrelid, ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_am am ON am.oid = ic.relam
                     WHERE x.indrelid = t.oid AND x.indpred IS NULL AND am.amname = 'btree' AND ic.relname ~ '^(ix|ox)_[0-9a-f]{16}$'
            LOOP
              definition := pg_get_indexdef(i.indexrelid);
              EXECUTE format('DROP INDEX %I.%I', \(SQLLiteral.string(schema)), i.relname);
              EXECUTE definition || ' WHERE deleted_at IS NULL';
            END LOOP;
            IF NOT EXISTS (SELECT 1 FROM pg_index x JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = 'id'
                           WHERE x.indrelid = t.oid AND x.indpred IS NOT NULL AND x.indkey::text = a.attnum::text) THEN
              EXECUTE format('CREATE INDEX ON %I.%I (id) WHERE deleted_at IS NULL', \(SQLLiteral.string(schema)), t.relname);
            END IF;
          END LOOP;
        END $$
        """
    }
}
