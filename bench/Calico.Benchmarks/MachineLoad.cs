using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// The machine's load average at the start and end of a bench, printed with every run so a figure can be read with
/// the conditions it was measured in. "idle" means the 1-minute load average stayed below half the cores: on this
/// 2-vCPU VM other sessions' builds push it to 5–30 and swing single figures by ±30 %.
/// </summary>
internal static class MachineLoad
{
    public static (double One, double Five, double Fifteen) Read()
    {
        string[] fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return (Parse(fields[0]), Parse(fields[1]), Parse(fields[2]));

        static double Parse(string field) => double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static bool IsIdle(double oneMinute) => oneMinute < Environment.ProcessorCount / 2.0;

    public static void Print(string when)
    {
        (double one, double five, double fifteen) = Read();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"machine {when}: load average {one:F2} / {five:F2} / {fifteen:F2} on {Environment.ProcessorCount} cores ({(IsIdle(one) ? "idle" : "loaded")}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
    }
}
