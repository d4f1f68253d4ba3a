using System.Diagnostics;

namespace Calico.Cni.Tests;

/// <summary>Runs a command to completion and captures its output (assertions use upstream tools: ip, podman).</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs through /bin/sh; throws with the output when it fails.</summary>
    public static async Task<string> ShAsync(string script)
    {
        var r = await RunAsync("/bin/sh", ["-c", script]);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{script}` exited {r.ExitCode}: {r.Stderr}{r.Stdout}");
        }

        return r.Stdout;
    }

    /// <summary>Best effort, for cleanup: never throws.</summary>
    public static async Task TryShAsync(string script) => await RunAsync("/bin/sh", ["-c", script + " >/dev/null 2>&1 || true"]);
}
