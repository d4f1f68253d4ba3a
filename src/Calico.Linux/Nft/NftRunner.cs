using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Calico.Linux.Nft;

/// <summary>
/// Runs the <c>nft</c> binary. A script goes to <c>nft -f -</c> on stdin, so the whole text is ONE kernel
/// transaction: either every command applies or none does and the previous ruleset stays (what makes a SIGKILLed
/// agent safe to restart). A process per call is the price of using upstream's parser and its error messages;
/// callers batch a whole apply into one script. The child runs in the process's network namespace (calico-node is
/// started inside the host's); the *In* variants enter another one through <c>nsenter --net</c> because forking
/// from a thread that called setns would leak the namespace into runtime helper threads.
/// </summary>
public static partial class NftRunner
{
    private static readonly Lazy<string> NftPath = new(() => FindOnPath("nft"));
    private static readonly Lazy<string> NsenterPath = new(() => FindOnPath("nsenter"));

    /// <summary>Applies <paramref name="script"/> with <c>nft -f -</c>; throws <see cref="NftException"/> on failure.</summary>
    public static Task<NftResult> ApplyAsync(string script, CancellationToken cancellationToken) =>
        ApplyCoreAsync(null, script, cancellationToken);

    /// <summary>As <see cref="ApplyAsync"/>, inside the network namespace at <paramref name="netnsPath"/>.</summary>
    public static Task<NftResult> ApplyInAsync(string netnsPath, string script, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        return ApplyCoreAsync(netnsPath, script, cancellationToken);
    }

    /// <summary>
    /// <c>nft -j list table &lt;family&gt; &lt;table&gt;</c>: the table as nft's JSON, or null when it does not exist.
    /// </summary>
    public static Task<string?> ListTableJsonAsync(string family, string table, CancellationToken cancellationToken) =>
        ListTableCoreAsync(null, family, table, cancellationToken);

    /// <summary>As <see cref="ListTableJsonAsync"/>, inside the network namespace at <paramref name="netnsPath"/>.</summary>
    public static Task<string?> ListTableJsonInAsync(string netnsPath, string family, string table, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        return ListTableCoreAsync(netnsPath, family, table, cancellationToken);
    }

    private static async Task<NftResult> ApplyCoreAsync(string? netnsPath, string script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        (int exitCode, string output, string error, TimeSpan duration) = await RunAsync(netnsPath, ["-f", "-"], script, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new NftException("nft -f -" + Where(netnsPath), exitCode, error);
        }

        return new NftResult(duration, output);
    }

    private static async Task<string?> ListTableCoreAsync(string? netnsPath, string family, string table, CancellationToken cancellationToken)
    {
        ValidateToken(family, nameof(family));
        ValidateToken(table, nameof(table));
        (int exitCode, string output, string error, _) = await RunAsync(netnsPath, ["-j", "list", "table", family, table], null, cancellationToken).ConfigureAwait(false);
        if (exitCode == 0)
        {
            return output;
        }

        // nft reports a missing table as ENOENT's text; anything else is a real failure.
        if (error.Contains("No such file or directory", StringComparison.Ordinal))
        {
            return null;
        }

        throw new NftException($"nft -j list table {family} {table}{Where(netnsPath)}", exitCode, error);
    }

    private static async Task<(int ExitCode, string Output, string Error, TimeSpan Duration)> RunAsync(
        string? netnsPath, string[] nftArguments, string? standardInput, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(netnsPath is null ? NftPath.Value : NsenterPath.Value)
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (netnsPath is not null)
        {
            info.ArgumentList.Add("--net=" + netnsPath);
            info.ArgumentList.Add(NftPath.Value);
        }

        foreach (string argument in nftArguments)
        {
            info.ArgumentList.Add(argument);
        }

        long started = Stopwatch.GetTimestamp();
        using var process = new Process { StartInfo = info };
        process.Start();
        try
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
            bool inputDelivered = standardInput is null || await WriteStandardInputAsync(process, standardInput, cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            string outputText = await output.ConfigureAwait(false);
            string errorText = await error.ConfigureAwait(false);
            if (!inputDelivered && process.ExitCode == 0)
            {
                throw new NftException("nft" + Where(netnsPath), 0, "exited 0 without reading the whole script");
            }

            return (process.ExitCode, outputText, errorText, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            // A cancelled apply must not leave a child writing to the kernel behind our back; the kernel rolls back
            // a transaction whose writer dies before commit.
            KillQuietly(process);
            throw;
        }
    }

    /// <summary>False when nft closed its stdin early (it failed: its exit code and stderr say why, a broken pipe does not).</summary>
    private static async Task<bool> WriteStandardInputAsync(Process process, string text, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing to stop.
        }
    }

    private static string Where(string? netnsPath) => netnsPath is null ? string.Empty : " in netns " + netnsPath;

    private static void ValidateToken(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (!TokenPattern().IsMatch(value))
        {
            throw new ArgumentException($"'{value}' is not a valid nftables family or table name", name);
        }
    }

    private static string FindOnPath(string binary)
    {
        string path = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } fromEnvironment
            ? fromEnvironment + ":/usr/sbin:/sbin"
            : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{binary} not found on PATH ({path}): install Debian package {(binary == "nft" ? "nftables" : "util-linux")}", binary);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex TokenPattern();
}
