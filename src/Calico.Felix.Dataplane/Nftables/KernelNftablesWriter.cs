using System.Diagnostics;
using Calico.Felix.Rules.Planning;
using Calico.Linux.Nft;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// Writes plans to the kernel: one nf_tables netlink transaction (the normal path, first apply included), or,
/// when the netlink sink cannot encode a step, the plan's <c>nft -f</c> script (logged with the reason). Either is
/// one batch: all or nothing. Opened in the namespace it programs (null: the caller's). Not thread-safe for
/// applies; <see cref="ReadTableJsonAsync"/> may run beside one.
/// </summary>
public sealed partial class KernelNftablesWriter : INftablesWriter, IDisposable
{
    private readonly string? _netnsPath;
    private readonly ILogger _logger;
    private readonly RuleEncoding _rules = new();
    private NfTables? _socket;

    public KernelNftablesWriter(string? netnsPath = null, ILogger? logger = null)
    {
        _netnsPath = netnsPath;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task<NftWriteResult> ApplyAsync(NftPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return new NftWriteResult("none", null, 0, 0, TimeSpan.Zero);
        }

        NfTablesTransaction? transaction = NftNetlinkSink.TryBuild(plan, _rules, out string? fallbackReason);
        if (transaction is null)
        {
            Log.ScriptFallback(_logger, fallbackReason!);
            return await ApplyScriptAsync(plan, fallbackReason, cancellationToken).ConfigureAwait(false);
        }

        return await ApplyNetlinkAsync(plan, transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The plan through netlink only; throws when a step cannot be encoded (for tests and the bench).</summary>
    public Task<NftWriteResult> ApplyNetlinkAsync(NftPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        NfTablesTransaction transaction = NftNetlinkSink.TryBuild(plan, _rules, out string? reason)
            ?? throw new InvalidOperationException("the netlink sink cannot encode the plan: " + reason);
        return ApplyNetlinkAsync(plan, transaction, cancellationToken);
    }

    /// <summary>The plan through <c>nft -f</c> (the fallback; also for tests and the bench).</summary>
    public async Task<NftWriteResult> ApplyScriptAsync(NftPlan plan, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string script = NftScript.From(plan);
        if (script.Length == 0)
        {
            return new NftWriteResult("none", reason, 0, 0, TimeSpan.Zero);
        }

        // nft -f may have declared sets anew: encodings cached against the old declarations are stale.
        _rules.Clear();
        NftResult result = _netnsPath is null
            ? await NftRunner.ApplyAsync(script, cancellationToken).ConfigureAwait(false)
            : await NftRunner.ApplyInAsync(_netnsPath, script, cancellationToken).ConfigureAwait(false);
        return new NftWriteResult("nft -f", reason, plan.Steps.Count, script.Length, result.Duration);
    }

    public Task<string?> ReadTableJsonAsync(CancellationToken cancellationToken) =>
        _netnsPath is null
            ? NftRunner.ListTableJsonAsync("inet", NftPlanner.TableName, cancellationToken)
            : NftRunner.ListTableJsonInAsync(_netnsPath, "inet", NftPlanner.TableName, cancellationToken);

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private async Task<NftWriteResult> ApplyNetlinkAsync(NftPlan plan, NfTablesTransaction transaction, CancellationToken cancellationToken)
    {
        _socket ??= _netnsPath is null ? NfTables.Open() : await NfTables.OpenInAsync(_netnsPath, cancellationToken).ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        try
        {
            _socket.Apply(transaction);
        }
        catch
        {
            // A fresh socket next time: whatever the kernel still queues for this one is of no use.
            _socket.Dispose();
            _socket = null;
            throw;
        }

        return new NftWriteResult("netlink", null, plan.Steps.Count, 0, Stopwatch.GetElapsedTime(started));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "nftables plan sent through nft -f: {Reason}")]
        public static partial void ScriptFallback(ILogger logger, string reason);
    }
}
