using System.Text.Json;

namespace Calico.KubeControllers.Health;

/// <summary>
/// The status file the running process writes (upstream: <c>/status/status.json</c>) and <c>check-status</c> reads.
/// Written whole to a temporary file and renamed, so a reader never sees half a document.
/// </summary>
internal sealed class StatusFile(string path, TimeProvider time)
{
    public const string DefaultPath = "/status/status.json";

    private readonly Lock _sync = new();
    private readonly StatusDocument _document = new();

    public string Path { get; } = path;

    public void SetReady(string key, bool ready, string reason)
    {
        lock (_sync)
        {
            _document.Readiness[key] = new ConditionStatus { Ready = ready, Reason = ready ? "" : reason };
        }

        Write();
    }

    public void SetActive(bool active)
    {
        lock (_sync)
        {
            _document.Active = active;
        }

        Write();
    }

    public bool IsReady
    {
        get
        {
            lock (_sync)
            {
                return Evaluate(_document) is null;
            }
        }
    }

    /// <summary>Rewrites the file with a fresh timestamp (the heartbeat <c>check-status</c> looks at).</summary>
    public void Write()
    {
        byte[] bytes;
        lock (_sync)
        {
            _document.Timestamp = time.GetUtcNow();
            bytes = JsonSerializer.SerializeToUtf8Bytes(_document, ControllersJsonContext.Default.StatusDocument);
        }

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = Path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Null when every condition is ready (and there is at least one, as upstream); else upstream's "reason; reason".</summary>
    public static string? Evaluate(StatusDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Readiness.Count == 0)
        {
            return "no readiness conditions reported yet";
        }

        var unready = document.Readiness.Where(kv => !kv.Value.Ready).Select(kv => kv.Value.Reason.Length > 0 ? kv.Value.Reason : kv.Key + " not ready").ToList();
        return unready.Count == 0 ? null : string.Join("; ", unready);
    }
}
