using System.Diagnostics;
using System.Text.Json;

namespace Calico.TestKit;

/// <summary>
/// Runs iproute2's <c>ip</c> for root-tier tests (never in library code): set-up of test namespaces and an
/// independent reading of kernel state as JSON (<c>ip -j</c>).
/// </summary>
public static class IpTool
{
    /// <summary>
    /// Fails unless the process is root and <c>ip</c> is on PATH. The message says what is missing; with CI=true it is
    /// the same failure (xunit 2 cannot skip at run time, and a silent pass would hide a broken runner).
    /// </summary>
    public static void RequireRootTier()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        string where = ci ? "CI=true: the root tier must run" : "root-tier test";
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException($"{where}: needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN for setns); run the tests as root");
        }

        if (Prerequisites.Find("ip") is null)
        {
            throw new InvalidOperationException($"{where}: 'ip' not found on PATH: install Debian package iproute2");
        }
    }

    /// <summary>Runs <c>ip args…</c>; throws with stderr on a non-zero exit; returns stdout.</summary>
    public static string Run(params string[] arguments) => RunProcess(Prerequisites.Require("ip"), arguments, throwOnError: true).Output;

    /// <summary>Runs <c>ip args…</c> and returns the exit code and output without throwing.</summary>
    public static (int ExitCode, string Output, string Error) TryRun(params string[] arguments) =>
        RunProcess(Prerequisites.Require("ip"), arguments, throwOnError: false);

    /// <summary>Runs <c>ip -j args…</c> and parses the JSON array (empty output = empty array).</summary>
    public static JsonElement Json(params string[] arguments)
    {
        string output = Run(["-j", .. arguments]);
        if (string.IsNullOrWhiteSpace(output))
        {
            return JsonDocument.Parse("[]").RootElement;
        }

        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a program (no shell).</summary>
    public static (int ExitCode, string Output, string Error) RunProcess(string fileName, IEnumerable<string> arguments, bool throwOnError)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string errorText = error.GetAwaiter().GetResult();
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {errorText}");
        }

        return (process.ExitCode, output, errorText);
    }
}
