using System.Globalization;
using System.Text.Json;

namespace Calico.KubeControllers.Health;

/// <summary>
/// <c>calico-kube-controllers check-status -l|-r [-f file]</c>, upstream's <c>check-status</c> binary: prints
/// "Ready" and exits 0 when every readiness condition in the status file is ready; otherwise prints the reasons (or
/// why the file cannot be read) and exits 1. Upstream checks readiness for both flags; so do we, and both also fail
/// when the file has not been rewritten for <see cref="StaleAfter"/> (the process is gone or hung).
/// </summary>
internal static class CheckStatusCommand
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TimeProvider time)
    {
        string file = StatusFile.DefaultPath;
        bool check = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-l" or "--live" or "-r" or "--ready":
                    check = true;
                    break;
                case "-v" or "--version":
                    await stdout.WriteLineAsync(ControllersCli.Version).ConfigureAwait(false);
                    return 0;
                case "-f" or "--file":
                    if (i + 1 >= args.Count)
                    {
                        await stdout.WriteLineAsync("Failed to parse flags: flag needs an argument: " + args[i]).ConfigureAwait(false);
                        return 1;
                    }

                    file = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--file=", StringComparison.Ordinal))
                    {
                        file = args[i]["--file=".Length..];
                        break;
                    }

                    await stdout.WriteLineAsync("Failed to parse flags: unknown flag: " + args[i]).ConfigureAwait(false);
                    return 1;
            }
        }

        if (!check)
        {
            await stdout.WriteLineAsync("No command specified to check-status").ConfigureAwait(false);
            return 1;
        }

        StatusDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(file).ConfigureAwait(false), ControllersJsonContext.Default.StatusDocument);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            await stdout.WriteLineAsync($"Failed to read status file {file}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (document is null)
        {
            await stdout.WriteLineAsync($"Failed to read status file {file}: empty document").ConfigureAwait(false);
            return 1;
        }

        if (document.Timestamp is { } written && time.GetUtcNow() - written > StaleAfter)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Status file {file} was last written at {written:O}, over {StaleAfter.TotalSeconds} s ago: calico-kube-controllers is not running or is hung")).ConfigureAwait(false);
            return 1;
        }

        if (StatusFile.Evaluate(document) is { } notReady)
        {
            await stdout.WriteLineAsync(notReady).ConfigureAwait(false);
            return 1;
        }

        await stdout.WriteLineAsync("Ready").ConfigureAwait(false);
        return 0;
    }
}
