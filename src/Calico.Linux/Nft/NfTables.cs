using System.Globalization;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// A NETLINK_NETFILTER socket that applies <see cref="NfTablesTransaction"/>s: chains, rules (with their anonymous
/// sets) and set elements in one nfnetlink batch, without the <c>nft</c> process and its cache dump. The socket stays
/// in the namespace it was opened in. Not thread-safe.
/// </summary>
public sealed class NfTables : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new(NetlinkProtocol.Netfilter);
    private readonly List<NfTablesTransaction.Message> _messages = [];

    private NfTables(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NfTables Open() => new(NetlinkSocket.Open(NetlinkProtocol.Netfilter));

    /// <summary>Opens a socket inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static async Task<NfTables> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        new(await NetlinkSocket.OpenInAsync(NetlinkProtocol.Netfilter, netnsPath, cancellationToken));

    /// <summary>
    /// Sends the transaction as one batch, steps in the order added; all or nothing. Throws
    /// <see cref="NetlinkException"/> naming the failing step.
    /// </summary>
    public void Apply(NfTablesTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Count == 0)
        {
            return;
        }

        transaction.Encode(_writer, _socket.NextSequence, _messages, out uint beginSequence, out uint endSequence);
        List<NetlinkAck> answers = _socket.SendBatch(_writer.Written, _messages.Count, beginSequence, endSequence);
        CheckAnswers(answers, transaction, beginSequence);
    }

    public void Dispose() => _socket.Dispose();

    internal ReadOnlySpan<byte> LastBatch => _writer.Written;

    /// <summary>
    /// Every message is acked (NLM_F_ACK); the kernel keeps going after an error and then aborts the whole batch,
    /// answering a refused batch or failed commit against BATCH_BEGIN. Success = one zero ack per message.
    /// </summary>
    private void CheckAnswers(List<NetlinkAck> answers, NfTablesTransaction transaction, uint beginSequence)
    {
        var (acked, errors, firstError, refused) = NfTablesAnswers.Tally(answers, beginSequence);
        if (refused is { } batch)
        {
            throw new NetlinkException(
                string.Create(CultureInfo.InvariantCulture, $"nf_tables batch of {transaction.Count} steps on {transaction.Family} {transaction.Table} not applied: {Describe(batch)}"),
                batch.Errno);
        }

        if (firstError is { } error)
        {
            long index = unchecked(error.Sequence - _messages[0].Sequence);
            string what = index >= 0 && index < _messages.Count
                ? transaction.Describe(_messages[(int)index])
                : string.Create(CultureInfo.InvariantCulture, $"nf_tables message {error.Sequence} on {transaction.Family} {transaction.Table}");
            string more = errors > 1 ? string.Create(CultureInfo.InvariantCulture, $", {errors - 1} more errors") : string.Empty;
            throw new NetlinkException(
                string.Create(CultureInfo.InvariantCulture, $"{what}: {Describe(error)} (batch of {transaction.Count} steps not applied{more})"),
                error.Errno);
        }

        if (acked != _messages.Count)
        {
            throw new NetlinkException(
                string.Create(CultureInfo.InvariantCulture, $"nf_tables batch of {transaction.Count} steps on {transaction.Family} {transaction.Table}: the kernel acknowledged {acked} of {_messages.Count} messages; outcome unknown"),
                0);
        }
    }

    private static string Describe(NetlinkAck answer) =>
        answer.Detail is null ? Errno.Describe(answer.Errno) : Errno.Describe(answer.Errno) + ": " + answer.Detail;
}
