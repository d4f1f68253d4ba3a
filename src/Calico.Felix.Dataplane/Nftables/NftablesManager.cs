using Calico.Felix.Rules.Planning;
using Calico.Nftables;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// Owns <c>table inet calico</c>: keeps the table last applied (rules stamped with their <see cref="NftRuleHash"/>),
/// plans the change to the next one (<see cref="NftPlanner"/>) and writes it through an <see cref="INftablesWriter"/>.
/// A failed write forgets the applied table, so the next apply replaces the table whole; so does drift found by
/// <see cref="FindDrift"/>. Single-threaded except <see cref="ReadAsync"/>, which only reads.
/// </summary>
public sealed class NftablesManager : IDataplaneManager<NftTable>
{
    private readonly INftablesWriter _writer;
    private long _generation;

    public NftablesManager(INftablesWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>The table last applied, stamped; null before the first apply and after a failure or drift.</summary>
    public NftTable? Applied { get; private set; }

    /// <summary>Counts applies, so a read-back taken before the latest is known to be stale.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>How the last non-empty plan was written.</summary>
    public NftWriteResult? LastWrite { get; private set; }

    public async Task<DataplaneReport> ApplyAsync(NftTable desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        Interlocked.Increment(ref _generation);
        NftTable stamped = NftRuleHash.Stamp(desired);
        NftPlan plan = NftPlanner.Plan(Applied, stamped);
        if (plan.IsEmpty)
        {
            Applied = stamped;
            return DataplaneReport.Unchanged;
        }

        NftWriteResult result;
        try
        {
            result = await _writer.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // One transaction: the kernel holds what it held, but our model of it may be wrong from here on.
            Applied = null;
            throw;
        }

        Applied = stamped;
        LastWrite = result;
        string detail = result.FallbackReason is null
            ? $"{plan.Steps.Count} steps via {result.Sink}"
            : $"{plan.Steps.Count} steps via {result.Sink} ({result.FallbackReason})";
        return new DataplaneReport(plan.Steps.Count, [], plan.IsFullReplacement ? detail + ", full replacement: " + plan.FullReplacementReason : detail);
    }

    /// <summary>Reads the table back; safe beside an apply (note <see cref="Generation"/> first to detect staleness).</summary>
    public Task<string?> ReadAsync(CancellationToken cancellationToken) => _writer.ReadTableJsonAsync(cancellationToken);

    /// <summary>
    /// Compares a read-back with the table last applied, rule by rule; on a difference, forgets the applied table
    /// (the next apply replaces it whole) and returns the difference. Null when nothing drifted or nothing was applied.
    /// </summary>
    public string? FindDrift(string? tableJson)
    {
        if (Applied is null)
        {
            return null;
        }

        string? difference = NftTableDrift.Difference(Applied, tableJson);
        if (difference is not null)
        {
            Applied = null;
        }

        return difference;
    }
}
