using System.Globalization;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// Adds and deletes nf_tables set elements over NETLINK_NETFILTER, without the <c>nft</c> process: each
/// <see cref="Apply"/> is ONE nfnetlink batch (BATCH_BEGIN, NEWSETELEM/DELSETELEM messages, BATCH_END), hence one
/// kernel transaction: every change applies or none does. Changes apply in the order given (a delete then an add of
/// an overlapping interval works). Adds behave as <c>nft add element</c>: re-adding an identical element is not an
/// error; an element that overlaps a different interval is (EEXIST). Deleting an absent element is ENOENT.
/// Failures throw <see cref="NetlinkException"/> naming the set, the element and the errno. The socket stays in the
/// namespace it was opened in. Not thread-safe.
/// </summary>
public sealed class NfTablesSetElements : IDisposable
{
    /// <summary>Elements per message are capped so the ELEMENTS nest stays under the 16-bit attribute length.</summary>
    private const int MaxElementBytesPerMessage = 48 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new(NetlinkProtocol.Netfilter);
    private readonly List<BatchMessage> _messages = [];
    private readonly List<int> _changeOffsets = [];

    private NfTablesSetElements(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens a NETLINK_NETFILTER socket in the calling thread's network namespace.</summary>
    public static NfTablesSetElements Open() => new(NetlinkSocket.Open(NetlinkProtocol.Netfilter));

    /// <summary>Opens a socket inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static async Task<NfTablesSetElements> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        new(await NetlinkSocket.OpenInAsync(NetlinkProtocol.Netfilter, netnsPath, cancellationToken));

    /// <summary>
    /// Applies <paramref name="changes"/> to sets of <paramref name="table"/> (<paramref name="family"/>: inet, ip,
    /// ip6, bridge, netdev, arp) as one transaction. Every element is encoded before anything is sent, so a malformed
    /// one (<see cref="ArgumentException"/>) sends nothing.
    /// </summary>
    public void Apply(string family, string table, IReadOnlyList<SetElementChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        byte familyCode = NfTablesNames.FamilyCode(family);
        NfTablesNames.Validate(table, nameof(table));
        if (changes.Count == 0)
        {
            return;
        }

        BuildBatch(familyCode, table, changes, out uint beginSequence, out uint endSequence);
        List<NetlinkAck> answers = _socket.SendBatch(_writer.Written, _messages.Count, beginSequence, endSequence);
        CheckAnswers(answers, family, table, changes, beginSequence);
    }

    public void Dispose() => _socket.Dispose();

    internal ReadOnlySpan<byte> LastBatch => _writer.Written;

    /// <summary>Consecutive changes of one set and direction share a message (fewer acks); order is kept.</summary>
    internal void BuildBatch(byte familyCode, string table, IReadOnlyList<SetElementChange> changes, out uint beginSequence, out uint endSequence)
    {
        _writer.Reset();
        _messages.Clear();
        _changeOffsets.Clear();
        beginSequence = _socket.NextSequence();
        _writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, beginSequence, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        _writer.EndMessage();

        int index = 0;
        while (index < changes.Count)
        {
            SetElementChange first = changes[index] ?? throw new ArgumentException($"changes[{index}] is null", nameof(changes));
            NfTablesNames.Validate(first.Set, nameof(changes));
            uint sequence = _socket.NextSequence();
            ushort type = NfNetlink.MessageType(first.Add ? NfNetlink.NFT_MSG_NEWSETELEM : NfNetlink.NFT_MSG_DELSETELEM);
            int messageStart = _writer.BeginMessage(type, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, sequence, familyCode, 0);
            int tableAttribute = _writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_TABLE, table);
            int setAttribute = _writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_SET, first.Set);
            int elements = _writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
            int firstChange = index;
            do
            {
                SetElementChange change = changes[index];
                _changeOffsets.Add(_writer.Length);
                NfTablesElementCodec.WriteElements(_writer, change.Kind, change.Element);
                index++;
            }
            while (index < changes.Count && changes[index] is { } next && next.Add == first.Add
                && string.Equals(next.Set, first.Set, StringComparison.Ordinal) && _writer.Length - elements < MaxElementBytesPerMessage);

            _writer.EndNested(elements);
            _writer.EndMessage();
            _messages.Add(new BatchMessage(sequence, messageStart, tableAttribute, setAttribute, firstChange, index));
        }

        endSequence = _socket.NextSequence();
        _writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, endSequence, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        _writer.EndMessage();
    }

    /// <summary>
    /// The kernel answers every message (NLM_F_ACK) and keeps processing after an error, then aborts the whole batch
    /// if any failed; a failed commit is answered against BATCH_BEGIN. Success = one zero ack per message.
    /// </summary>
    private void CheckAnswers(List<NetlinkAck> answers, string family, string table, IReadOnlyList<SetElementChange> changes, uint beginSequence)
    {
        var (acked, errors, firstError, refused) = NfTablesAnswers.Tally(answers, beginSequence);
        if (refused is { } batch)
        {
            throw new NetlinkException(
                $"nf_tables batch of {changes.Count} element changes on {family} {table} not applied: {Describe(batch)}", batch.Errno);
        }

        if (firstError is { } error)
        {
            string more = errors > 1 ? string.Create(CultureInfo.InvariantCulture, $", {errors - 1} more errors") : string.Empty;
            throw new NetlinkException(
                $"{DescribeFailure(error, family, table, changes)} (batch of {changes.Count} changes not applied{more})", error.Errno);
        }

        if (acked != _messages.Count)
        {
            throw new NetlinkException(
                $"nf_tables batch of {changes.Count} element changes on {family} {table}: the kernel acknowledged {acked} of {_messages.Count} messages; outcome unknown",
                0);
        }
    }

    private string DescribeFailure(NetlinkAck error, string family, string table, IReadOnlyList<SetElementChange> changes)
    {
        long index = unchecked(error.Sequence - _messages[0].Sequence);
        if (index >= _messages.Count)
        {
            return $"nf_tables batch on {family} {table}: message {error.Sequence} after the element messages: {Describe(error)}";
        }

        BatchMessage message = _messages[(int)index];
        SetElementChange first = changes[message.FirstChange];
        string operation = (first.Add ? "NFT_MSG_NEWSETELEM " : "NFT_MSG_DELSETELEM ") + family + " " + table + " " + first.Set;
        int count = message.EndChange - message.FirstChange;
        int offset = error.AttributeOffset < 0 ? -1 : message.Start + error.AttributeOffset;
        if (offset == message.TableAttribute)
        {
            return $"{operation}: no such table: {Describe(error)}";
        }

        if (offset == message.SetAttribute)
        {
            return $"{operation}: no such set: {Describe(error)}";
        }

        int culprit = count == 1 ? message.FirstChange : FindChange(offset, message);
        if (culprit < 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{operation}: one of {count} elements: {Describe(error)}");
        }

        string element = changes[culprit].Element;
        string hint = (first.Add, error.Errno) switch
        {
            (false, Errno.ENOENT) => "element not in set: ",
            (true, Errno.EEXIST) => "element overlaps one in the set: ",
            _ => string.Empty,
        };
        return $"{operation} element {element}: {hint}{Describe(error)}";
    }

    /// <summary>The change whose elements contain the offending attribute's offset, or -1.</summary>
    private int FindChange(int offset, BatchMessage message)
    {
        if (offset < 0 || offset < _changeOffsets[message.FirstChange])
        {
            return -1;
        }

        int found = message.FirstChange;
        for (int i = message.FirstChange; i < message.EndChange && _changeOffsets[i] <= offset; i++)
        {
            found = i;
        }

        return found;
    }

    private static string Describe(NetlinkAck answer) =>
        answer.Detail is null ? Errno.Describe(answer.Errno) : Errno.Describe(answer.Errno) + ": " + answer.Detail;


    /// <summary>Where one message sits in the batch and which changes it carries ([FirstChange, EndChange)).</summary>
    private readonly record struct BatchMessage(uint Sequence, int Start, int TableAttribute, int SetAttribute, int FirstChange, int EndChange);
}
