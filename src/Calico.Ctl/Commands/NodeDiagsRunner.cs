using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl node diags [--log-dir=&lt;dir&gt;] [--max-logs=&lt;n&gt;]</c> as upstream's diags.go on a host without
/// containers: root only; every command of <see cref="NodeDiagsPlan"/> into <c>diagnostics/&lt;file&gt;</c> of a temp
/// directory, the logs, BIRD's log and state, the configuration files and the datastore's view, then one
/// <c>diags-&lt;time&gt;.tar.gz</c> beside it. It only reads. A missing tool, file or datastore is written into the
/// archive (the file says why, <c>diagnostics/collection.txt</c> lists every item) and never ends the run.
/// </summary>
internal sealed class NodeDiagsRunner(CtlContext context, Func<bool> isRoot)
{
    /// <summary>Upstream's default log directory.</summary>
    public const string DefaultLogDir = "/var/log/calico";

    /// <summary>calico-node's default <c>--state-dir</c> (BIRD's log, control socket, nodename, mtu).</summary>
    public const string DefaultStateDir = "/var/lib/calico";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly List<string> _notes = [];

    private TextWriter Out => context.Out;

    public async Task<int> RunAsync(string? logDir, string? stateDir, string? maxLogs, string? focusNodes, string configPath, CancellationToken ct)
    {
        if (focusNodes is not null)
        {
            throw new CtlException("Invalid option --focus-nodes: it chooses which nodes upstream's `calicoctl cluster diags` (Kubernetes) collects from; " +
                "node diags collects this host only: run it on each node");
        }

        int? max = null;
        if (maxLogs is not null)
        {
            max = int.TryParse(maxLogs, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
                ? n
                : throw new CtlException($"Invalid value for --max-logs: \"{maxLogs}\": must be a whole number of at least 1");
        }

        if (string.IsNullOrWhiteSpace(logDir))
        {
            throw new CtlException("Invalid value for --log-dir: must name a directory");
        }

        if (string.IsNullOrWhiteSpace(stateDir))
        {
            throw new CtlException("Invalid value for --state-dir: must name a directory");
        }

        if (!isRoot())
        {
            Out.WriteLine("Need super user privileges: Operation not permitted");
            return 1;
        }

        Out.WriteLine("Collecting diagnostics");
        var tmp = Directory.CreateTempSubdirectory("calico");
        Out.WriteLine("Using temp dir: " + tmp.FullName);
        string diagnostics = Path.Combine(tmp.FullName, "diagnostics");
        Directory.CreateDirectory(diagnostics);

        var options = new NodeDiagsPlan.Options(logDir, stateDir, max, FindBirdSocket(stateDir), FindTool("netstat") is not null);
        if (options.BirdSocket is null)
        {
            Note("bird_protocols, bird_routes", "not collected: no BIRD control socket (looked at " + string.Join(", ", BirdSockets(stateDir)) + ")");
        }

        foreach (var command in NodeDiagsPlan.Commands(options))
        {
            await RunCommandAsync(command, diagnostics, ct).ConfigureAwait(false);
        }

        foreach (var command in NodeDiagsPlan.CtlCommands(configPath))
        {
            await RunCtlAsync(command, diagnostics, ct).ConfigureAwait(false);
        }

        CopyLogs(logDir, max, Path.Combine(diagnostics, "logs"));
        CopyStateFiles(stateDir, Path.Combine(diagnostics, "state"));
        CopyConfigFiles(Path.Combine(diagnostics, "config"));
        await File.WriteAllTextAsync(Path.Combine(diagnostics, "collection.txt"), string.Join('\n', _notes) + "\n", ct).ConfigureAwait(false);

        string tarFile = "diags-" + context.Time.GetLocalNow().ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture) + ".tar.gz";
        string tarPath = Path.Combine(tmp.FullName, tarFile);
        try
        {
            await using var file = File.Create(tarPath);
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            await TarFile.CreateFromDirectoryAsync(diagnostics, gzip, includeBaseDirectory: true, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Out.WriteLine("Error compressing the diagnostics: " + e.Message);
        }

        Out.WriteLine();
        Out.WriteLine("Diags saved to " + tarPath);
        Out.WriteLine("If required, you can upload the diagnostics bundle to a file sharing service.");
        return 0;
    }

    private void Note(string item, string outcome) => _notes.Add(item + ": " + outcome);

    private async Task RunCommandAsync(NodeDiagsPlan.Command command, string directory, CancellationToken ct)
    {
        if (command.Info.Length > 0)
        {
            Out.WriteLine(command.Info);
        }

        string line = string.Join(' ', command.Argv);
        string target = Path.Combine(directory, command.File);
        if (FindTool(command.Argv[0]) is not { } tool)
        {
            // Go's exec error, as upstream prints it.
            string error = $"exec: \"{command.Argv[0]}\": executable file not found in $PATH";
            Out.WriteLine($"Failed to run command: {line}\nError: {error}");
            await File.WriteAllTextAsync(target, $"not collected: {line}: {error}\n", ct).ConfigureAwait(false);
            Note(command.File, $"not collected: {command.Argv[0]} not found on PATH");
            return;
        }

        var (exit, output) = await ExecAsync(tool, command.Argv[1..], ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(target, output, ct).ConfigureAwait(false);
        if (exit == 0)
        {
            Note(command.File, line);
            return;
        }

        Out.WriteLine($"Failed to run command: {line}\nError: {output.TrimEnd()}");
        Note(command.File, exit is null ? $"{line}: timed out after {CommandTimeout.TotalSeconds:0} s" : $"{line}: exit {exit}");
    }

    private async Task RunCtlAsync(NodeDiagsPlan.CtlCommand command, string directory, CancellationToken ct)
    {
        Out.WriteLine(command.Info);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await CalicoCtl.RunAsync(command.Args, TextReader.Null, stdout, stderr, context.Environment, context.Time, ct).ConfigureAwait(false);
        string target = Path.Combine(directory, command.File);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, stdout.ToString() + stderr, ct).ConfigureAwait(false);
        Note(command.File, "calicoctl " + string.Join(' ', command.Args) + (exit == 0 ? "" : $": exit {exit}: {stderr.ToString().Trim()}"));
    }

    private static async Task<(int? Exit, string Output)> ExecAsync(string tool, string[] arguments, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (Win32Exception e)
        {
            return (-1, e.Message + "\n");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return (null, "timed out\n");
            }

            return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
        }
    }

    private void CopyLogs(string logDir, int? max, string target)
    {
        if (!Directory.Exists(logDir))
        {
            // Upstream's wording; the archive records it too.
            Out.WriteLine($"Error copying log files: stat {logDir}: no such file or directory");
            Note("logs", $"not collected: {logDir} does not exist");
            return;
        }

        Out.WriteLine("Copying Calico logs");
        var files = new List<(string, DateTime)>();
        foreach (var path in Directory.EnumerateFiles(logDir, "*", SearchOption.AllDirectories))
        {
            files.Add((Path.GetRelativePath(logDir, path), File.GetLastWriteTimeUtc(path)));
        }

        var selected = NodeDiagsPlan.SelectLogs(files, max);
        foreach (var relative in selected)
        {
            CopyFile(Path.Combine(logDir, relative), Path.Combine(target, relative), "logs/" + relative);
        }

        Note("logs", $"{selected.Count} of {files.Count} files from {logDir}" + (max is { } m ? $" (at most {m} of each kind)" : ""));
    }

    private void CopyStateFiles(string stateDir, string target)
    {
        Out.WriteLine("Copying BIRD log and node state from " + stateDir);
        foreach (var name in NodeDiagsPlan.StateFiles)
        {
            string source = Path.Combine(stateDir, name);
            if (File.Exists(source))
            {
                CopyFile(source, Path.Combine(target, name), "state/" + name);
            }
            else
            {
                Note("state/" + name, $"not collected: {source} does not exist");
            }
        }
    }

    private void CopyConfigFiles(string target)
    {
        Out.WriteLine("Copying configuration files");
        foreach (var source in NodeDiagsPlan.ConfigFiles)
        {
            string name = Path.GetFileName(source);
            if (!File.Exists(source))
            {
                Note("config/" + name, $"not collected: {source} does not exist");
                continue;
            }

            try
            {
                Directory.CreateDirectory(target);
                string text = File.ReadAllText(source);
                File.WriteAllText(Path.Combine(target, name), name.EndsWith(".env", StringComparison.Ordinal) ? NodeDiagsPlan.RedactEnvironmentFile(text) : text);
                Note("config/" + name, source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Note("config/" + name, $"not collected: {e.Message}");
            }
        }
    }

    private void CopyFile(string source, string destination, string item)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Out.WriteLine($"Error copying log files: {e.Message}");
            Note(item, "not collected: " + e.Message);
        }
    }

    private IEnumerable<string> BirdSockets(string stateDir)
    {
        if (context.Environment(NodeStatusRunner.SocketVariable) is { Length: > 0 } configured)
        {
            return [configured];
        }

        return [Path.Combine(stateDir, "bird.ctl"), .. NodeStatusRunner.DefaultSockets];
    }

    private string? FindBirdSocket(string stateDir) => BirdSockets(stateDir).FirstOrDefault(File.Exists);

    /// <summary>The tool's path on this run's PATH (the environment calicoctl was given), or null.</summary>
    private string? FindTool(string name)
    {
        string path = context.Environment("PATH") is { Length: > 0 } p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
