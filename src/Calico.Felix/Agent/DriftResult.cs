namespace Calico.Felix.Agent;

/// <summary>What a drift check repaired (null: nothing), or that its reading was stale and nothing was checked.</summary>
internal sealed record DriftResult(string? Repaired, bool Stale)
{
    public static DriftResult StaleReading { get; } = new(null, true);
}
