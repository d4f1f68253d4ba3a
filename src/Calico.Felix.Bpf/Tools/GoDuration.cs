using System.Globalization;

namespace Calico.Felix.Bpf.Tools;

/// <summary>Durations as Go's time.Duration prints them (upstream calico-bpf's "Active ago 1.5s"), to the millisecond past a second.</summary>
public static class GoDuration
{
    public static string Format(ulong nanoseconds)
    {
        var c = CultureInfo.InvariantCulture;
        if (nanoseconds == 0)
        {
            return "0s";
        }

        if (nanoseconds < 1_000)
        {
            return nanoseconds.ToString(c) + "ns";
        }

        if (nanoseconds < 1_000_000)
        {
            return (nanoseconds / 1_000.0).ToString("0.###", c) + "µs";
        }

        if (nanoseconds < 1_000_000_000)
        {
            return (nanoseconds / 1_000_000.0).ToString("0.###", c) + "ms";
        }

        ulong milliseconds = nanoseconds / 1_000_000;
        ulong hours = milliseconds / 3_600_000;
        ulong minutes = milliseconds / 60_000 % 60;
        string seconds = (milliseconds % 60_000 / 1000.0).ToString("0.###", c) + "s";
        return hours > 0 ? $"{hours.ToString(c)}h{minutes.ToString(c)}m{seconds}"
            : minutes > 0 ? $"{minutes.ToString(c)}m{seconds}"
            : seconds;
    }
}
