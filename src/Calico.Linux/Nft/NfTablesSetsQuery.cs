using System.Runtime.InteropServices;
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
    public static unsafe List<(ushort Type, byte[] Value)> GetSet(string family, string table, string set)
    {
        byte familyCode = NfTablesNames.FamilyCode(family);
        int fd = NetlinkFd.OpenBound(NfNetlink.NETLINK_NETFILTER, "NETLINK_NETFILTER");
        try
        {
            var writer = new NfNetlinkBatchWriter();
            writer.BeginMessage(NfNetlink.MessageType(NFT_MSG_GETSET), (ushort)(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK), 1, familyCode, 0);
            writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, table);
            writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, set);
            writer.EndMessage();
            fixed (byte* pointer = writer.Written)
            {
                if (LibC.Send(fd, pointer, (nuint)writer.Length, 0) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new NetlinkException($"send(NFT_MSG_GETSET {family} {table} {set}): " + Errno.Describe(errno), errno);
                }
            }

            var attributes = new List<(ushort Type, byte[] Value)>();
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                nint count;
                fixed (byte* pointer = buffer)
                {
                    // The kernel answers inside send, so everything is queued already: never wait.
                    count = LibC.Recv(fd, pointer, (nuint)buffer.Length, NfNetlink.MSG_DONTWAIT);
                }

                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new NetlinkException($"recv(NFT_MSG_GETSET {family} {table} {set}): " + Errno.Describe(errno), errno);
                }

                var reader = new NetlinkMessageReader(buffer.AsSpan(0, (int)count));
                while (reader.TryRead(out NetlinkMessage message))
                {
                    if (message.Type == Rtnl.NLMSG_ERROR)
                    {
                        int errno = -HostOrder.ReadInt32(message.Payload);
                        return errno == 0
                            ? attributes
                            : throw new NetlinkException($"NFT_MSG_GETSET {family} {table} {set}: " + Errno.Describe(errno), errno);
                    }

                    if (message.Type == NfNetlink.MessageType(NfTablesRuleAttributes.NFT_MSG_NEWSET))
                    {
                        var setAttributes = new AttributeReader(message.Payload[NfNetlink.NfGenMsgLength..]);
                        while (setAttributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
                        {
                            attributes.Add((type, value.ToArray()));
                        }
                    }
                }
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }
}
