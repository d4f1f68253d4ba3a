using System.Diagnostics;
using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// Starts processes that outlive calico-lab (calico-node, listeners, etcd): a new session (setsid), stdin from
/// /dev/null, stdout and stderr appended to a log file. <c>sh</c>, <c>setsid</c> and <c>ip netns exec</c> each exec
/// the next program, so the PID returned is the final program's.
/// </summary>
public static class DetachedProcess
{
    // The first line marks each start in the log, so a process that dies before writing anything is told apart from
    // the previous run's last words.
    private const string Launcher = "log=$1; shift; echo \"---- calico-lab starts (pid $$): $*\" >>\"$log\"; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null";

    /// <summary>Starts <paramref name="program"/> inside <paramref name="netns"/>; returns its PID.</summary>
    public static int StartInNetns(string netns, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile) =>
        Start(["ip", "netns", "exec", netns, program], program, arguments, environment, logFile);

    /// <summary>
    /// Starts <paramref name="program"/> in calico-lab's own network namespace (the machine's, for the relay that
    /// only listens on loopback there); returns its PID.
    /// </summary>
    public static int StartHere(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile) =>
        Start([program], program, arguments, environment, logFile);

    private static int Start(string[] command, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var info = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", Launcher, "sh", logFile, .. command])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(info) ?? throw new LabException($"cannot start {program}");
            return process.Id;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot start {program}: {e.Message}", e);
        }
    }

    /// <summary>True while the PID runs the process recorded (its command line holds the marker; zombies do not count).</summary>
    public static bool IsRunning(LabProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            var cmdline = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{process.Pid}/cmdline")).Replace('\0', ' ');
            if (cmdline.Contains(process.Marker, StringComparison.Ordinal))
            {
                return true;
            }

            // While the launcher execs (sh -> setsid -> ip netns exec -> the program) the kernel can show an empty
            // command line for an instant; only a zombie's is empty for good.
            return cmdline.Length == 0 && IsAlive(process.Pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL. A process already gone is fine.</summary>
    public static async Task StopAsync(LabProcess process, TimeSpan grace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(process);
        await StopPidAsync(process.Pid, () => IsRunning(process), grace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a PID found inside one of the lab's namespaces (nothing else runs there).</summary>
    public static Task StopPidAsync(int pid, TimeSpan grace, CancellationToken cancellationToken) =>
        StopPidAsync(pid, () => IsAlive(pid), grace, cancellationToken);

    private static async Task StopPidAsync(int pid, Func<bool> running, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!running())
        {
            return;
        }

        var id = pid.ToString(CultureInfo.InvariantCulture);
        await Command.RunAsync("kill", ["-TERM", id], cancellationToken: cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + grace;
        while (running() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }

        if (running())
        {
            await Command.RunAsync("kill", ["-KILL", id], cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
