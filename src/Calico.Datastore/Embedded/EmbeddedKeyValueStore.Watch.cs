using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Calico.Datastore.Embedded;

public sealed partial class EmbeddedKeyValueStore
{
    private const int WatchBatchRows = 1000;

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }

        EnsureWalWatcher();
        byte[] start = Encoding.UTF8.GetBytes(prefix);
        byte[]? end = PrefixEnd(start);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);

        // A dedicated connection: PRAGMA data_version on it changes exactly when another connection (any process)
        // has committed, so an idle poll costs one tiny statement and no table read.
        using SqliteConnection connection = OpenConnection();
        Log.WatchStarted(_logger, prefix, afterRevision);
        long after = afterRevision;
        long seenDataVersion = long.MinValue;
        var pacer = new WatchPollPacer(WatchPollInterval, MaxWatchPollInterval);
        while (true)
        {
            stop.Token.ThrowIfCancellationRequested();
            Task wakeUp = _changes.Current;
            pacer.BeforeCheck(wakeUp);
            long dataVersion = DataVersion(connection);
            if (dataVersion != seenDataVersion)
            {
                seenDataVersion = dataVersion;
                List<WatchEvent> batch;
                bool more;
                do
                {
                    (batch, more, long scannedTo) = ReadChanges(connection, start, end, after, afterRevision);
                    foreach (WatchEvent e in batch)
                    {
                        after = e.Revision;
                        yield return e;
                    }

                    // Everything up to the snapshot's revision has been scanned, even if no row matched our prefix;
                    // remembering that keeps an idle watch from being reported compacted.
                    if (!more)
                    {
                        after = Math.Max(after, scannedTo);
                    }
                }
                while (more);

                pacer.Reset();
                continue;
            }

            try
            {
                await wakeUp.WaitAsync(pacer.Pause, _timeProvider, stop.Token);
                pacer.Reset();
            }
            catch (TimeoutException)
            {
                pacer.TimedOut();
            }
        }
    }

    private static long DataVersion(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Reads the next rows after <paramref name="after"/> in one snapshot, checking compaction in that same
    /// snapshot so a concurrent compaction can never silently drop rows we have not yet delivered.
    /// </summary>
    private (List<WatchEvent> Batch, bool More, long ScannedTo) ReadChanges(SqliteConnection connection, byte[] start, byte[]? end, long after, long requested)
    {
        try
        {
            using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
            long compactRevision = ReadMeta(connection, transaction, "compact_revision");
            long revision = ReadMeta(connection, transaction, "revision");
            if (after + 1 < compactRevision)
            {
                throw new WatchCompactedException(requested, compactRevision);
            }

            using SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT revision, key, type, value, prev_value FROM changes
                WHERE revision > $after AND key >= $start {(end is null ? string.Empty : "AND key < $end")}
                ORDER BY revision LIMIT {WatchBatchRows}
                """;
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$start", start);
            if (end is not null)
            {
                command.Parameters.AddWithValue("$end", end);
            }

            var batch = new List<WatchEvent>();
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var type = reader.GetInt32(2) == SqliteSchema.DeleteType ? WatchEventType.Delete : WatchEventType.Put;
                    batch.Add(new WatchEvent(
                        type,
                        Encoding.UTF8.GetString((byte[])reader[1]),
                        reader.IsDBNull(3) ? null : (byte[])reader[3],
                        reader.IsDBNull(4) ? null : (byte[])reader[4],
                        reader.GetInt64(0)));
                }
            }

            transaction.Commit();
            return (batch, batch.Count == WatchBatchRows, revision);
        }
        catch (SqliteException ex)
        {
            throw Unavailable("watch", ex);
        }
    }

    /// <summary>
    /// Wakes watchers when another process appends to the WAL or writes its commit notice (inotify; see
    /// EmbeddedKeyValueStore.CommitNotice.cs), so cross-process latency does not depend on the poll interval; polling
    /// stays as the safety net for missed or overflowed notifications.
    /// </summary>
    private void EnsureWalWatcher()
    {
        if (Volatile.Read(ref _walWatcher) is not null)
        {
            return;
        }

        string? directory = System.IO.Path.GetDirectoryName(Path);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        var watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(Path) + "-wal")
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        watcher.Filters.Add(System.IO.Path.GetFileName(CommitNoticePath)); // written after each commit is visible

        watcher.Changed += (_, _) => _changes.Notify();
        watcher.Created += (_, _) => _changes.Notify();
        if (Interlocked.CompareExchange(ref _walWatcher, watcher, null) is not null)
        {
            watcher.Dispose();
            return;
        }

        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch (IOException)
        {
            // inotify limits reached: polling alone still delivers every event.
        }
    }
}
