using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Calico.TestKit;

/// <summary>
/// Starts child processes and remembers them by PID; <see cref="Dispose"/> kills every one still running
/// (with its process tree) so a failing test leaves nothing behind. Output is captured for diagnostics.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int MaxCapturedLines = 200;
    private readonly ConcurrentDictionary<int, Tracked> _children = new();

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> (no shell).</summary>
    public Process Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
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

        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var tracked = new Tracked(process);
        process.OutputDataReceived += (_, e) => tracked.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => tracked.Capture(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {fileName}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _children[process.Id] = tracked;
        return process;
    }

    /// <summary>
    /// Starts a .NET assembly with an entry point through the same dotnet host that runs the tests
    /// (<c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> on PATH).
    /// </summary>
    public Process StartDotnet(string assemblyPath, IEnumerable<string> arguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromEnvironment && File.Exists(fromEnvironment)
            ? fromEnvironment
            : Prerequisites.Require("dotnet");
        return Start(host, new[] { "exec", assemblyPath }.Concat(arguments));
    }

    /// <summary>What the process printed (last lines of stdout and stderr, interleaved).</summary>
    public string OutputOf(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return _children.TryGetValue(process.Id, out Tracked? tracked) ? tracked.Output() : string.Empty;
    }

    /// <summary>Sends SIGKILL to the process (by PID) and waits for it to exit.</summary>
    public static void Kill(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        process.WaitForExit();
    }

    public void Dispose()
    {
        foreach (Tracked tracked in _children.Values)
        {
            try
            {
                if (!tracked.Process.HasExited)
                {
                    Kill(tracked.Process);
                }
            }
            finally
            {
                tracked.Process.Dispose();
            }
        }

        _children.Clear();
    }

    private sealed class Tracked(Process process)
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public Process Process { get; } = process;

        public void Capture(string? line)
        {
            if (line is null)
            {
                return;
            }

            _lines.Enqueue(line);
            while (_lines.Count > MaxCapturedLines && _lines.TryDequeue(out _))
            {
            }
        }

        public string Output()
        {
            var builder = new StringBuilder();
            foreach (string line in _lines)
            {
                builder.AppendLine(line);
            }

            return builder.ToString();
        }
    }
}
