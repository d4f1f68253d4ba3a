using System.Diagnostics;
using System.Text;

namespace Calico.Lab.Cluster;

/// <summary>Runs a program to completion (ip, kill, the CNI plugin) and collects its output.</summary>
public static class Command
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new LabException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot start {program}: {e.Message}", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new Result(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }

    /// <summary>Runs <c>ip args…</c>; a failure is a <see cref="LabException"/> quoting the command and its stderr.</summary>
    public static async Task<string> IpAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await RunAsync("ip", arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LabException($"ip {string.Join(' ', arguments)}: {result.Error.Trim()}");
        }

        return result.Output;
    }

    /// <summary>Writes a sysctl inside a namespace (the machine's own is never written).</summary>
    public static Task SysctlAsync(string netns, string key, string value, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, "netns", "exec", netns, "sysctl", "-qw", key + "=" + value);

    /// <summary>Quotes for display in the commands <c>up</c> prints.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or ':' or '=' or ','))
        {
            return text;
        }

        var sb = new StringBuilder("'");
        sb.Append(text.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        return sb.ToString();
    }
}
