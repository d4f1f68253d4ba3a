using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// Reads back one named set as the kernel holds it (NFT_MSG_GETSET): its attributes, raw. Used to check that a set
/// declared over netlink is the one nft would declare (flags, key type and length, DESC, userdata).
/// </summary>
internal static class NfTablesSetsQuery
{
    private const ushort NFT_MSG_GETSET = 10;

    /// <summary>Every top-level attribute of the NEWSET answer, in order; throws <see cref="NetlinkException"/> (ENOENT …).</summary>
    public static List<(ushort Type, byte[] Value)> GetSet(string family, string table, string set)
    {
        byte familyCode = NfTablesNames.FamilyCode(family);
        using NetlinkSocket socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter);
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter, 256);
        writer.BeginMessage(NfNetlink.MessageType(NFT_MSG_GETSET), Rtnl.NLM_F_REQUEST, socket.NextSequence(), familyCode, 0);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, table);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, set);
        writer.EndMessage();

        var attributes = new List<(ushort Type, byte[] Value)>();
        int errno = socket.Dump(writer.Written, (type, payload) =>
        {
            if (type == NfNetlink.MessageType(NfTablesRuleAttributes.NFT_MSG_NEWSET))
            {
                var setAttributes = new AttributeReader(payload[NfNetlink.NfGenMsgLength..]);
                while (setAttributes.TryRead(out ushort attribute, out ReadOnlySpan<byte> value))
                {
                    attributes.Add((attribute, value.ToArray()));
                }
            }
        }, out _);
        return errno == 0
            ? attributes
            : throw new NetlinkException($"NFT_MSG_GETSET {family} {table} {set}: " + Errno.Describe(errno), errno);
    }
}
