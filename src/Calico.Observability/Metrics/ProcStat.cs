using System.Globalization;

namespace Calico.Observability.Metrics;

/// <summary>The fields of <c>/proc/self/stat</c> the process metrics use (proc(5) numbering in the comments).</summary>
internal readonly record struct ProcStat(long UserTicks, long SystemTicks, long Threads, long StartTicks, double VirtualBytes, long ResidentPages)
{
    public static ProcStat ReadSelf() => Parse(File.ReadAllText("/proc/self/stat"));

    /// <summary>Parses one stat line; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.</summary>
    public static ProcStat Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        int close = line.LastIndexOf(')');
        if (close < 0)
        {
            throw new InvalidDataException("not a /proc/<pid>/stat line");
        }

        // After ") ": field 3 (state) is index 0, so field n is index n - 3.
        string[] f = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 22)
        {
            throw new InvalidDataException("/proc/<pid>/stat line has " + (f.Length + 2) + " fields, expected at least 24");
        }

        return new ProcStat(
            UserTicks: Long(f[14 - 3]),
            SystemTicks: Long(f[15 - 3]),
            Threads: Long(f[20 - 3]),
            StartTicks: Long(f[22 - 3]),
            VirtualBytes: double.Parse(f[23 - 3], CultureInfo.InvariantCulture),
            ResidentPages: Long(f[24 - 3]));
    }

    private static long Long(string value) => long.Parse(value, CultureInfo.InvariantCulture);
}
