namespace Calico.Felix.Agent;

/// <summary>One key whose stored value cannot be read, and what the agent does instead (for /readiness and metrics).</summary>
internal sealed record CorruptResource(string Kind, string Key, string Reason, CorruptHandling Handling)
{
    public string HandlingLabel => Handling switch
    {
        CorruptHandling.LastGood => "last-good",
        CorruptHandling.DenyAll => "deny-all",
        _ => "skipped",
    };
}
