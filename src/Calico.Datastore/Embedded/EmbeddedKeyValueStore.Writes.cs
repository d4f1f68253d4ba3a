using System.Text;
using Microsoft.Data.Sqlite;

namespace Calico.Datastore.Embedded;

public sealed partial class EmbeddedKeyValueStore
{
    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        byte[] bytes = value.ToArray();
        return WriteAsync(key, "create", (connection, transaction, keyBytes) =>
        {
            KeyValue? current = ReadKey(connection, transaction, keyBytes);
            if (current is not null)
            {
                return new WriteResult(WriteStatus.AlreadyExists, current.Revision, current);
            }

            long revision = NextRevision(connection, transaction);
            Put(connection, transaction, keyBytes, bytes, revision);
            AppendChange(connection, transaction, revision, keyBytes, SqliteSchema.PutType, bytes, null);
            return new WriteResult(WriteStatus.Ok, revision, null);
        }, cancellationToken);
    }

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        byte[] bytes = value.ToArray();
        return WriteAsync(key, "update", (connection, transaction, keyBytes) =>
        {
            KeyValue? current = ReadKey(connection, transaction, keyBytes);
            if (expectedRevision != 0)
            {
                if (current is null)
                {
                    return new WriteResult(WriteStatus.NotFound, 0, null);
                }

                if (current.Revision != expectedRevision)
                {
                    return new WriteResult(WriteStatus.Conflict, current.Revision, current);
                }
            }

            long revision = NextRevision(connection, transaction);
            Put(connection, transaction, keyBytes, bytes, revision);
            AppendChange(connection, transaction, revision, keyBytes, SqliteSchema.PutType, bytes, current?.Value);
            return new WriteResult(WriteStatus.Ok, revision, null);
        }, cancellationToken);
    }

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        return WriteAsync(key, "delete", (connection, transaction, keyBytes) =>
        {
            KeyValue? current = ReadKey(connection, transaction, keyBytes);
            if (current is null)
            {
                return new WriteResult(WriteStatus.NotFound, 0, null);
            }

            if (expectedRevision != 0 && current.Revision != expectedRevision)
            {
                return new WriteResult(WriteStatus.Conflict, current.Revision, current);
            }

            long revision = NextRevision(connection, transaction);
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM kv WHERE key = $key";
                command.Parameters.AddWithValue("$key", keyBytes);
                command.ExecuteNonQuery();
            }

            AppendChange(connection, transaction, revision, keyBytes, SqliteSchema.DeleteType, null, current.Value);
            return new WriteResult(WriteStatus.Ok, revision, null);
        }, cancellationToken);
    }

    /// <summary>
    /// Discards change history before <paramref name="revision"/>; watches from earlier revisions then fail
    /// with <see cref="WatchCompactedException"/> (etcd's compaction).
    /// </summary>
    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        await WriteAsync(string.Empty, "compact", (connection, transaction, _) =>
        {
            long current = ReadMeta(connection, transaction, "revision");
            if (revision > current)
            {
                throw new ArgumentOutOfRangeException(nameof(revision), revision, $"beyond the current revision {current}");
            }

            CompactTo(connection, transaction, revision);
            return new WriteResult(WriteStatus.NotFound, current, null);
        }, cancellationToken);
    }

    /// <summary>
    /// Checks the file and the store's invariants; returns the problems found (empty when healthy).
    /// Used by tests after a writer was killed mid-write.
    /// </summary>
    internal async Task<IReadOnlyList<string>> CheckConsistencyAsync(CancellationToken cancellationToken)
    {
        SqliteConnection connection = await RentAsync(cancellationToken);
        try
        {
            var problems = new List<string>();
            using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
            using (SqliteCommand integrity = connection.CreateCommand())
            {
                integrity.Transaction = transaction;
                integrity.CommandText = "PRAGMA integrity_check";
                string result = (string)integrity.ExecuteScalar()!;
                if (result != "ok")
                {
                    problems.Add("integrity_check: " + result);
                }
            }

            long revision = ReadMeta(connection, transaction, "revision");
            long maxKey = Scalar(connection, transaction, "SELECT coalesce(max(mod_revision), 0) FROM kv");
            long maxChange = Scalar(connection, transaction, "SELECT coalesce(max(revision), 0) FROM changes");
            if (maxKey > revision || maxChange > revision)
            {
                problems.Add($"revision counter {revision} behind data (key {maxKey}, change {maxChange})");
            }

            // Every key's latest change row, when still kept, must carry exactly the stored value.
            long mismatched = Scalar(connection, transaction, """
                SELECT count(*) FROM kv JOIN changes c ON c.revision = kv.mod_revision
                WHERE c.key <> kv.key OR c.type <> 0 OR c.value IS NOT kv.value
                """);
            if (mismatched != 0)
            {
                problems.Add($"{mismatched} keys disagree with their change log row");
            }

            transaction.Commit();
            return problems;
        }
        finally
        {
            Return(connection);
        }
    }

    private static long Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private async Task<WriteResult> WriteAsync(
        string key,
        string operation,
        Func<SqliteConnection, SqliteTransaction, byte[], WriteResult> body,
        CancellationToken cancellationToken)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);

        // Writers in this process queue here rather than spinning in SQLite's busy handler;
        // writers in other processes are ordered by BEGIN IMMEDIATE and busy_timeout.
        await _writeGate.WaitAsync(cancellationToken);
        WriteResult result;
        try
        {
            SqliteConnection connection = await RentAsync(cancellationToken);
            try
            {
                // BEGIN IMMEDIATE takes the write lock before reading, so the condition we check cannot go stale
                // before our write (a deferred transaction would fail with SQLITE_BUSY_SNAPSHOT on upgrade).
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                result = body(connection, transaction, keyBytes);
                if (result.Succeeded && ++_writesSinceCompaction >= Math.Max(1, _historyRevisions / 8))
                {
                    _writesSinceCompaction = 0;
                    long floor = result.Revision - _historyRevisions + 1;
                    if (floor > ReadMeta(connection, transaction, "compact_revision"))
                    {
                        CompactTo(connection, transaction, floor);
                    }
                }

                transaction.Commit();
                if (result.Succeeded)
                {
                    NoticeCommit();
                }
            }
            catch (SqliteException ex)
            {
                // The transaction rolled back (or never began): nothing of this write is visible.
                connection.Dispose();
                connection = null!;
                throw new DatastoreUnavailableException($"embedded datastore {Path}: {operation} {key} failed: {ex.Message}", ex);
            }
            finally
            {
                if (connection is not null)
                {
                    Return(connection);
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }

        if (result.Succeeded)
        {
            _changes.Notify();
        }

        return result;
    }

    private void CompactTo(SqliteConnection connection, SqliteTransaction transaction, long revision)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM changes WHERE revision < $revision;
            UPDATE meta SET value = max(value, $revision) WHERE name = 'compact_revision';
            """;
        command.Parameters.AddWithValue("$revision", revision);
        command.ExecuteNonQuery();
        Log.Compacted(_logger, revision);
    }

    private static long NextRevision(SqliteConnection connection, SqliteTransaction transaction)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value";
        return (long)command.ExecuteScalar()!;
    }

    private static void Put(SqliteConnection connection, SqliteTransaction transaction, byte[] key, byte[] value, long revision)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO kv(key, value, create_revision, mod_revision, version) VALUES ($key, $value, $revision, $revision, 1)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision, version = kv.version + 1
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$revision", revision);
        command.ExecuteNonQuery();
    }

    private static void AppendChange(SqliteConnection connection, SqliteTransaction transaction, long revision, byte[] key, int type, byte[]? value, byte[]? previous)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO changes(revision, key, type, value, prev_value) VALUES ($revision, $key, $type, $value, $previous)";
        command.Parameters.AddWithValue("$revision", revision);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$value", (object?)value ?? DBNull.Value);
        command.Parameters.AddWithValue("$previous", (object?)previous ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}
