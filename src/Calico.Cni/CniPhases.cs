using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Calico.Cni;

/// <summary>
/// Optional per-invocation timing of one call's steps (process entry, configuration parsed, datastore opened, ...),
/// switched on by the environment variable <c>CALICO_CNI_PHASES=1</c> and printed as one line on stderr at exit
/// (the cni bench reads it). Off, it costs nothing: <see cref="Mark"/> on a null tracer is a no-op.
/// </summary>
internal sealed class CniPhases
{
    public const string EnvironmentVariable = "CALICO_CNI_PHASES";

    private static long s_enteredTimestamp;
    private static long s_enteredUnixMicroseconds;

    private readonly long _start;
    private readonly long _startUnixMicroseconds;
    private readonly List<(string Name, long Timestamp)> _marks = [];
    private readonly Lock _lock = new();

    private CniPhases(long start, long startUnixMicroseconds)
    {
        _start = start;
        _startUnixMicroseconds = startUnixMicroseconds;
    }

    /// <summary>Counts of datastore calls, filled by <see cref="CountingKeyValueStore"/>.</summary>
    public CountingKeyValueStore.Counters Datastore { get; } = new();

    /// <summary>Called first thing in Main, so the trace starts at process entry rather than at RunAsync.</summary>
    public static void ProcessEntered()
    {
        s_enteredTimestamp = Stopwatch.GetTimestamp();
        s_enteredUnixMicroseconds = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    }

    /// <summary>A tracer when the environment asks for one, else null.</summary>
    public static CniPhases? From(IReadOnlyDictionary<string, string> environment)
    {
        if (!environment.TryGetValue(EnvironmentVariable, out var value) || value is not ("1" or "true"))
        {
            return null;
        }

        return s_enteredTimestamp != 0
            ? new CniPhases(s_enteredTimestamp, s_enteredUnixMicroseconds)
            : new CniPhases(Stopwatch.GetTimestamp(), (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10);
    }

    public void Mark(string name)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _marks.Add((name, now));
        }
    }

    /// <summary><c>calico-phases: entered_unix_us=N main=0.000 parsed=0.412 ... | etcd get=2/1.234 ...</c>: milliseconds since entry.</summary>
    public string Format()
    {
        var text = new StringBuilder("calico-phases: entered_unix_us=");
        text.Append(_startUnixMicroseconds.ToString(CultureInfo.InvariantCulture));
        lock (_lock)
        {
            foreach (var (name, timestamp) in _marks)
            {
                text.Append(' ').Append(name).Append('=').Append(Stopwatch.GetElapsedTime(_start, timestamp).TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture));
            }
        }

        // CPU time is what a loaded machine cannot inflate: the wall-clock steps above can be mostly waiting for a core.
        var cpu = Environment.CpuUsage;
        text.Append(" cpu_user=").Append(cpu.UserTime.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
        text.Append(" cpu_sys=").Append(cpu.PrivilegedTime.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
        text.Append(" | ").Append(Datastore.Format());
        return text.ToString();
    }
}
