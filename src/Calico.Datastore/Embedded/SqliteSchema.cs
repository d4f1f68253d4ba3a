namespace Calico.Datastore.Embedded;

/// <summary>
/// Tables of the embedded store. Keys are BLOBs (UTF-8) so ordering and prefix ranges are byte-wise, as in etcd.
/// <c>meta.revision</c> is the store-wide revision (starts at 1 like etcd, so the first write is 2);
/// <c>meta.compact_revision</c> is the oldest revision still in <c>changes</c>' guaranteed range.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta(name, value) VALUES ('revision', 1), ('compact_revision', 0), ('schema_version', 1);
        CREATE TABLE IF NOT EXISTS kv(
            key BLOB PRIMARY KEY,
            value BLOB NOT NULL,
            create_revision INTEGER NOT NULL,
            mod_revision INTEGER NOT NULL,
            version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS changes(
            revision INTEGER PRIMARY KEY,
            key BLOB NOT NULL,
            type INTEGER NOT NULL,
            value BLOB,
            prev_value BLOB);
        """;

    public const int PutType = 0;
    public const int DeleteType = 1;
}
