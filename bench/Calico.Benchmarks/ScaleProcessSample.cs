using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// One process's memory and CPU as the kernel counts them (/proc/&lt;pid&gt;/status, smaps_rollup, stat): resident set
/// (anonymous and file-backed apart: the binary's mapped pages are shared by every calico-node), proportional set
/// size (shared pages divided among their users), threads, and CPU seconds so far.
/// </summary>
internal sealed record ScaleProcessSample(int Pid, double RssMiB, double AnonMiB, double FileMiB, double PssMiB, int Threads, double CpuSeconds)
{
    // USER_HZ is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static ScaleProcessSample? TryRead(int pid)
    {
        try
        {
            double rss = 0, anon = 0, file = 0, pss = 0;
            int threads = 0;
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                rss = line.StartsWith("VmRSS:", StringComparison.Ordinal) ? Kib(line) : rss;
                anon = line.StartsWith("RssAnon:", StringComparison.Ordinal) ? Kib(line) : anon;
                file = line.StartsWith("RssFile:", StringComparison.Ordinal) ? Kib(line) : file;
                threads = line.StartsWith("Threads:", StringComparison.Ordinal) ? (int)Kib(line) : threads;
            }

            foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                pss = line.StartsWith("Pss:", StringComparison.Ordinal) ? Kib(line) : pss;
            }

            // stat: "pid (comm) state ..." — fields after the closing parenthesis, utime and stime are the 12th and 13th.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return new ScaleProcessSample(pid, rss / 1024, anon / 1024, file / 1024, pss / 1024, threads, cpu);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Kib(string line) =>
        double.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
