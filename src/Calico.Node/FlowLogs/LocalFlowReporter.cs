using System.Text;
using Calico.Felix.FlowLogs;

namespace Calico.Node.FlowLogs;

/// <summary>
/// flowLogsLocalReporter: Enabled. Upstream's local reporter streams to a socket in <c>/var/run/calico/flows</c>
/// (<c>felix/collector/local</c>) for a node-local consumer; ours appends each flushed flow as one JSON line
/// (<see cref="LocalReporterFormat"/>) to <c>flows.log</c> in that directory (<c>CALICO_FLOW_LOGS_DIR</c> overrides),
/// with what only this node knows: its name, the connections' addresses and source ports. The file is rotated to
/// <c>flows.log.1</c> past 64 MiB, so it stays bounded.
/// </summary>
internal sealed class LocalFlowReporter(string directory, string node)
{
    public const string DefaultDirectory = "/var/run/calico/flows";
    public const string FileName = "flows.log";
    private const long MaxBytes = 64L * 1024 * 1024;

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    public void Write(IReadOnlyList<FlowRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var info = new FileInfo(Path);
        if (info.Exists && info.Length > MaxBytes)
        {
            File.Move(Path, Path + ".1", overwrite: true);
        }

        var text = new StringBuilder();
        foreach (FlowRecord r in records)
        {
            text.Append(LocalReporterFormat.Line(r, node)).Append('\n');
        }

        // One append per flush: a reader sees whole lines.
        File.AppendAllText(Path, text.ToString());
    }
}
