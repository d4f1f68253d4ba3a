using System.Collections.Concurrent;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Datastore.Embedded;

/// <summary>
/// <see cref="IKeyValueStore"/> in one SQLite file, for a single host without an etcd. Many processes may use the
/// file at once (every CNI call is a process): WAL journal, a busy timeout, and every write is one
/// <c>BEGIN IMMEDIATE</c> transaction that reads the revision, checks its condition, writes the key, appends the
/// change log row and bumps the revision. See DESIGN.md for the invariants.
/// </summary>
public sealed partial class EmbeddedKeyValueStore : IKeyValueStore
{
    public const int DefaultHistoryRevisions = 10_000;

    private const int MaxPooledConnections = 8;
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly int _historyRevisions;
    private readonly bool _createIfMissing;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentBag<SqliteConnection> _pool = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly ChangeSignal _changes = new();
    private readonly CancellationTokenSource _disposed = new();
    private FileSystemWatcher? _walWatcher;
    private volatile bool _initialized;
    private int _writesSinceCompaction;

    /// <param name="path">The database file; with <paramref name="createIfMissing"/> it and its directory are created (0600 / 0700) on first use.</param>
    /// <param name="historyRevisions">How many revisions of change history watchers can resume from.</param>
    /// <param name="timeProvider">Clock for watch polling.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <param name="createIfMissing">
    /// False: a missing file is an error on first use, never a new store (<see cref="DatastoreFactory"/> passes
    /// <see cref="DatastoreOptions.EmbeddedCreate"/>; direct construction is for owners and tests).
    /// </param>
    public EmbeddedKeyValueStore(string path, int historyRevisions = DefaultHistoryRevisions, TimeProvider? timeProvider = null, ILogger<EmbeddedKeyValueStore>? logger = null, bool createIfMissing = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyRevisions, 1);
        Path = System.IO.Path.GetFullPath(path);
        _historyRevisions = historyRevisions;
        _createIfMissing = createIfMissing;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = createIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// How often an idle watcher re-checks the file for commits by other processes when no file-change
    /// notification arrives. Commits through this instance wake watchers at once.
    /// </summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The longest an idle watcher sleeps between checks (the poll interval doubles up to this). Other processes'
    /// commits wake watchers through inotify, so this is only the safety net: 1 s keeps an idle agent with a dozen
    /// watches near zero CPU (100 ms cost ~1% of a core, measured in bench dataplane-control).
    /// </summary>
    public TimeSpan MaxWatchPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        SqliteConnection connection = await RentAsync(cancellationToken);
        try
        {
            return ReadKey(connection, null, Encoding.UTF8.GetBytes(key));
        }
        finally
        {
            Return(connection);
        }
    }

    public async Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        SqliteConnection connection = await RentAsync(cancellationToken);
        try
        {
            // A deferred transaction pins one WAL snapshot for the revision and the rows.
            using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
            long revision = ReadMeta(connection, transaction, "revision");
            var items = new List<KeyValue>();
            using SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            byte[] start = Encoding.UTF8.GetBytes(prefix);
            byte[]? end = PrefixEnd(start);
            command.CommandText = end is null
                ? "SELECT key, value, mod_revision FROM kv WHERE key >= $start ORDER BY key"
                : "SELECT key, value, mod_revision FROM kv WHERE key >= $start AND key < $end ORDER BY key";
            command.Parameters.AddWithValue("$start", start);
            if (end is not null)
            {
                command.Parameters.AddWithValue("$end", end);
            }

            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    items.Add(new KeyValue(Encoding.UTF8.GetString((byte[])reader[0]), (byte[])reader[1], reader.GetInt64(2)));
                }
            }

            transaction.Commit();
            return new ListResult(items, revision);
        }
        finally
        {
            Return(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        _walWatcher?.Dispose();
        await _writeGate.WaitAsync();
        try
        {
            _commitNotice?.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }

        while (_pool.TryTake(out SqliteConnection? connection))
        {
            await connection.DisposeAsync();
        }

        _changes.Notify();
    }

    /// <summary>etcd's prefix range end over bytes; null when the range is unbounded.</summary>
    internal static byte[]? PrefixEnd(byte[] prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                byte[] end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return null;
    }

    private static KeyValue? ReadKey(SqliteConnection connection, SqliteTransaction? transaction, byte[] key)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value, mod_revision FROM kv WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? new KeyValue(Encoding.UTF8.GetString(key), (byte[])reader[0], reader.GetInt64(1)) : null;
    }

    private static long ReadMeta(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return (long)(command.ExecuteScalar() ?? throw new InvalidOperationException($"embedded datastore {name} row missing"));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async ValueTask<SqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }

        return _pool.TryTake(out SqliteConnection? pooled) ? pooled : OpenConnection();
    }

    private void Return(SqliteConnection connection)
    {
        if (_disposed.IsCancellationRequested || _pool.Count >= MaxPooledConnections)
        {
            connection.Dispose();
            return;
        }

        _pool.Add(connection);
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();

            // Per-connection settings (journal_mode is persistent in the file, these are not).
            // synchronous=FULL: in WAL mode every commit fsyncs the WAL, so a write that returned Ok survives power
            // loss as it would in etcd. NORMAL would already be crash-safe against a killed process, but could
            // forget the last acknowledged IPAM assignment on power loss and hand the address out twice.
            Execute(connection, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;");
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw Unavailable("open", ex);
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            if (_createIfMissing)
            {
                CreateFileWithRestrictivePermissions(Path);
            }
            else if (!File.Exists(Path))
            {
                throw new DatastoreUnavailableException($"embedded datastore {Path} does not exist (it is created by calico-node or calico-lab)");
            }
            using SqliteConnection connection = OpenConnection();
            try
            {
                using SqliteCommand check = connection.CreateCommand();
                check.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'kv', 'changes')";
                if ((long)check.ExecuteScalar()! != 3)
                {
                    // WAL lets readers and one writer proceed together across processes; it is recorded in the file.
                    Execute(connection, "PRAGMA journal_mode = WAL;");
                    using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                    using SqliteCommand create = connection.CreateCommand();
                    create.Transaction = transaction;
                    create.CommandText = SqliteSchema.Create;
                    create.ExecuteNonQuery();
                    transaction.Commit();
                }

                long version = ReadMeta(connection, null, "schema_version");
                if (version != SqliteSchema.Version)
                {
                    throw new DatastoreUnavailableException($"embedded datastore {Path} has schema version {version}; this build understands {SqliteSchema.Version}");
                }
            }
            catch (SqliteException ex)
            {
                throw Unavailable("initialize", ex);
            }

            Log.Opened(_logger, Path);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    private static void CreateFileWithRestrictivePermissions(string path)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (File.Exists(path))
        {
            return;
        }

        try
        {
            // SQLite gives the -wal and -shm files the main file's permissions, so 0600 here covers all three.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; theirs is as good as ours.
        }
    }

    private DatastoreUnavailableException Unavailable(string operation, SqliteException ex) =>
        new($"embedded datastore {Path}: {operation} failed: {ex.Message}", ex);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "embedded datastore opened at {Path}")]
        public static partial void Opened(ILogger logger, string path);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "embedded datastore compacted history before revision {Revision}")]
        public static partial void Compacted(ILogger logger, long revision);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "embedded watch on {Prefix} after revision {Revision}")]
        public static partial void WatchStarted(ILogger logger, string prefix, long revision);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "embedded datastore cannot write its commit notice {Path} ({Reason}): watchers in other processes see this process's commits a few ms later (their WAL events and polling)")]
        public static partial void CommitNoticeFailed(ILogger logger, string path, string reason);
    }
}
