using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// One plugin call's <c>calico-phases:</c> line (CALICO_CNI_PHASES=1): step marks in ms since process entry and
/// the etcd call counters, plus where the entry fell after the bench's exec.
/// </summary>
internal sealed class PhaseTrace
{
    public List<(string Name, double Ms)> Marks { get; } = [];

    /// <summary>Process entry minus the bench's exec start (wall clock), ms.</summary>
    public double EntryAfterExec { get; private set; }

    /// <summary>Exit seen by the bench minus the plugin's last mark, ms (set by the caller).</summary>
    public double ExitAfterEnd { get; set; }

    /// <summary>The plugin's own CPU time (user + system) at its last mark, ms: unlike wall time, load cannot inflate it.</summary>
    public double CpuMs { get; private set; }

    public int EtcdTrips { get; private set; }

    public double EtcdFirst { get; private set; }

    public string EtcdCalls { get; private set; } = "";

    public bool Has(string name) => Marks.Exists(m => m.Name == name);

    public double At(string name) => Marks.Find(m => m.Name == name).Ms;

    public double Step(string from, string to) => At(to) - (from == "entry" ? 0 : At(from));

    public static PhaseTrace? Parse(string stderr, long execStartUnixMicroseconds)
    {
        var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("calico-phases:", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var trace = new PhaseTrace();
        var halves = line["calico-phases:".Length..].Split('|');
        foreach (var field in halves[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (field[..field.IndexOf('=')], field[(field.IndexOf('=') + 1)..]);
            if (name is "cpu_user" or "cpu_sys")
            {
                trace.CpuMs += double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name == "entered_unix_us")
            {
                trace.EntryAfterExec = execStartUnixMicroseconds == 0 ? 0 : (long.Parse(value, CultureInfo.InvariantCulture) - execStartUnixMicroseconds) / 1000.0;
            }
            else
            {
                trace.Marks.Add((name, double.Parse(value, CultureInfo.InvariantCulture)));
            }
        }

        if (halves.Length > 1)
        {
            var calls = new List<string>();
            foreach (var field in halves[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var (name, value) = (field[..field.IndexOf('=')], field[(field.IndexOf('=') + 1)..]);
                switch (name)
                {
                    case "trips":
                        trace.EtcdTrips = int.Parse(value, CultureInfo.InvariantCulture);
                        break;
                    case "first":
                        trace.EtcdFirst = double.Parse(value, CultureInfo.InvariantCulture);
                        break;
                    default:
                        calls.Add(field);
                        break;
                }
            }

            trace.EtcdCalls = string.Join(' ', calls) + " (count/total ms)";
        }

        return trace;
    }
}
