using Calico.Api;
using Calico.Api.Support;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Agent;

/// <summary>
/// Refused settings per datastore key (docs/support-matrix.md). Data can reach the datastore without calicoctl: each
/// refused setting this node would have to act on is logged once (when it appears), counted and shown on
/// /readiness; everything else keeps being enforced. Single-threaded: the agent's loop.
/// </summary>
internal sealed partial class UnsupportedSettings(string nodeName, ILogger logger)
{
    private readonly Dictionary<string, IReadOnlyList<SupportFinding>> _byKey = new(StringComparer.Ordinal);
    private bool _changed;

    /// <summary>True once after the set of refused settings changed.</summary>
    public bool TakeChanged()
    {
        bool changed = _changed;
        _changed = false;
        return changed;
    }

    public void Track(string key, Resource? value)
    {
        List<SupportFinding> refused = value is null || !AppliesHere(value) ? [] : RefusedIn(value);
        _byKey.TryGetValue(key, out IReadOnlyList<SupportFinding>? before);
        before ??= [];
        if (before.SequenceEqual(refused))
        {
            return;
        }

        foreach (SupportFinding finding in refused)
        {
            if (!before.Contains(finding))
            {
                Log.UnsupportedSetting(logger, finding.Kind, finding.Name, finding.Field, finding.Value, finding.Entry.Reason);
            }
        }

        if (refused.Count == 0)
        {
            _byKey.Remove(key);
        }
        else
        {
            _byKey[key] = refused;
        }

        _changed = true;
    }

    /// <summary>Every refused setting now, sorted by summary.</summary>
    public List<SupportFinding> All()
    {
        var all = new List<SupportFinding>();
        foreach (IReadOnlyList<SupportFinding> findings in _byKey.Values)
        {
            all.AddRange(findings);
        }

        all.Sort(static (a, b) => string.CompareOrdinal(a.Summary, b.Summary));
        return all;
    }

    /// <summary>"not enforced: …" for settings that make the node not ready, "degraded: …" for the others; null when none.</summary>
    public (string? Blocking, string? Degraded) Reasons()
    {
        var blocking = new List<string>();
        var degraded = new List<string>();
        foreach (SupportFinding finding in All())
        {
            (finding.Entry.BlocksReadiness ? blocking : degraded).Add(finding.Summary);
        }

        return (blocking.Count > 0 ? "not enforced: " + string.Join("; ", blocking) : null,
            degraded.Count > 0 ? "degraded, not enforced: " + string.Join("; ", degraded) : null);
    }

    private static List<SupportFinding> RefusedIn(Resource value)
    {
        var refused = new List<SupportFinding>();
        foreach (SupportFinding finding in SupportMatrix.Check(value))
        {
            if (finding.Status == SupportStatus.Refused)
            {
                refused.Add(finding);
            }
        }

        return refused;
    }

    /// <summary>Another node's endpoints and per-node configuration are that node's to report.</summary>
    private bool AppliesHere(Resource value) => value switch
    {
        WorkloadEndpoint wep => string.IsNullOrEmpty(wep.Spec.Node) || wep.Spec.Node == nodeName,
        HostEndpoint hep => string.IsNullOrEmpty(hep.Spec.Node) || hep.Spec.Node == nodeName,
        FelixConfiguration fc => fc.Metadata.Name is not { } n || !n.StartsWith("node.", StringComparison.Ordinal) || n == "node." + nodeName,
        _ => true,
    };

    private static partial class Log
    {
        [LoggerMessage(8, LogLevel.Warning, "Not enforced: {Kind} \"{Name}\" sets {Field} = '{Value}', which this implementation does not support ({Reason}); everything else stays enforced")]
        public static partial void UnsupportedSetting(ILogger logger, string kind, string name, string field, string value, string reason);
    }
}
