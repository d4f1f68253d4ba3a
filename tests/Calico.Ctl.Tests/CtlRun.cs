using System.Diagnostics;
using Calico.Ctl;

namespace Calico.Ctl.Tests;

/// <summary>What one calicoctl invocation printed and returned.</summary>
public sealed record CtlResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Err}";
}

/// <summary>
/// Runs calicoctl against one datastore: in-process (the same code the binary runs) or as the real binary
/// through bash, so the FAQ's shell flows run verbatim.
/// </summary>
public sealed class CtlRunner(IReadOnlyDictionary<string, string> environment)
{
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    public async Task<CtlResult> RunAsync(string commandLine, string? stdin = null) =>
        await RunArgsAsync(SplitArgs(commandLine), stdin);

    public async Task<CtlResult> RunArgsAsync(string[] args, string? stdin = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var code = await CalicoCtl.RunAsync(args, input, output, error,
            name => Environment.TryGetValue(name, out var v) ? v : null, TimeProvider.System, CancellationToken.None);
        return new CtlResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a bash script with the real calicoctl binary first on PATH, in <paramref name="workingDirectory"/>.</summary>
    public async Task<CtlResult> ShellAsync(string script, string workingDirectory)
    {
        var psi = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["PATH"] = CalicoctlBinary.Directory + ":" + System.Environment.GetEnvironmentVariable("PATH");
        psi.Environment.Remove("DATASTORE_TYPE");
        psi.Environment.Remove("ETCD_ENDPOINTS");
        psi.Environment.Remove("CALICO_DATASTORE_PATH");
        foreach (var (k, v) in Environment)
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CtlResult(process.ExitCode, await stdout, await stderr);
    }

    private static string[] SplitArgs(string commandLine)
    {
        // Enough of shell quoting for tests: single quotes group, nothing else is special.
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var inQuote = false;
        var any = false;
        foreach (var c in commandLine)
        {
            if (c == '\'')
            {
                inQuote = !inQuote;
                any = true;
            }
            else if (c == ' ' && !inQuote)
            {
                if (any)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            args.Add(current.ToString());
        }

        return [.. args];
    }
}

/// <summary>The calicoctl apphost built beside the tests (the real binary, framework-dependent in tests).</summary>
public static class CalicoctlBinary
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        var here = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(here, "calicoctl")))
        {
            return here;
        }

        // Fall back to the Ctl project's own output folder (same configuration and framework).
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("cannot find the repository root from " + here);
        }

        var config = here.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var candidate = Path.Combine(dir.FullName, "src", "Calico.Ctl", "bin", config, "net10.0");
        return File.Exists(Path.Combine(candidate, "calicoctl"))
            ? candidate
            : throw new InvalidOperationException("calicoctl binary not found in " + candidate + ": build the solution first");
    }
}
