using Microsoft.Extensions.Logging;

namespace Calico.Datastore.Embedded;

/// <summary>
/// Tells watchers in other processes that a commit is visible. They wake on inotify events of the WAL, but SQLite
/// writes a commit's WAL frames (the events), fsyncs them (synchronous=FULL), and only then publishes the commit in
/// the wal-index (a memory-mapped write, which raises no event): a watcher woken by the frames checks before the commit
/// is visible, finds nothing and sleeps its poll interval (5 ms after activity) with no further event to wake it. On
/// the new-block path this was most of the time between a block's confirmed affinity and calico-node seeing it (issue
/// 17). After each commit, this store writes one byte to <c>&lt;database&gt;-commits</c> (same mode as the database;
/// one <c>pwrite</c>), whose event comes after the commit is visible; watchers watch it beside the WAL. A writer that
/// cannot write it (read-only directory, another owner) says so once and watchers fall back to the WAL events and
/// polling, as before; a writer without this (an older binary, the sqlite3 shell) likewise.
/// </summary>
public sealed partial class EmbeddedKeyValueStore
{
    private static readonly byte[] CommitMark = [1];
    private FileStream? _commitNotice;
    private bool _commitNoticeFailed;

    /// <summary>The file written after each commit so watchers in other processes wake when it is visible.</summary>
    public string CommitNoticePath => Path + CommitNoticeSuffix;

    private const string CommitNoticeSuffix = "-commits";

    /// <summary>Called after a commit, under the write gate (one writer of this instance at a time).</summary>
    private void NoticeCommit()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (_commitNoticeFailed || _disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _commitNotice ??= new FileStream(CommitNoticePath, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                UnixCreateMode = File.GetUnixFileMode(Path),
            });
            RandomAccess.Write(_commitNotice.SafeFileHandle, CommitMark, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _commitNoticeFailed = true;
            Log.CommitNoticeFailed(_logger, CommitNoticePath, e.Message);
        }
    }
}
