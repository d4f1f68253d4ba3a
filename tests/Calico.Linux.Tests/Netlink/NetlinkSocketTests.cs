using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>
/// Root tier: the one netlink socket opened inside a test namespace, for both protocols. Netfilter is the new case:
/// before the merge its socket only sent batches, now a plain request (acked or refused) and a get work on it too.
/// </summary>
[Trait("Tier", "Root")]
public class NetlinkSocketTests
{
    private const ushort NFT_MSG_NEWTABLE = 0;
    private const ushort NFT_MSG_GETTABLE = 1;
    private const ushort NFTA_TABLE_NAME = 1;

    [Fact]
    public async Task Route_OpenedInNamespace_DumpsThatNamespacesLinks()
    {
        using var netns = new NetnsScope();
        using NetlinkSocket socket = await NetlinkSocket.OpenInAsync(NetlinkProtocol.Route, netns.Path, CancellationToken.None);
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.EndMessage();
        var names = new List<string>();

        int errno = socket.Dump(writer.Written, (type, payload) => names.Add(RtnlCodec.ParseLink(payload).Name), out _);

        Assert.Equal(0, errno);
        Assert.Equal(["lo"], names);
    }

    [Fact]
    public async Task Netfilter_RequestBatchAndGet_OnOneSocket()
    {
        using var netns = new NetnsScope();
        using NetlinkSocket socket = await NetlinkSocket.OpenInAsync(NetlinkProtocol.Netfilter, netns.Path, CancellationToken.None);
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        // A request for a table that is not there: refused with ENOENT, the errno the old batch-only socket could not be asked for.
        writer.BeginMessage(NfNetlink.MessageType(NFT_MSG_GETTABLE), Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, socket.NextSequence(), NfNetlink.NFPROTO_INET, 0);
        writer.PutString(NFTA_TABLE_NAME, "calisock");
        writer.EndMessage();
        Assert.Equal(Errno.ENOENT, socket.TryExecute(writer.Written, out _));

        // A batch creating it: one zero answer for the one message.
        writer.Reset();
        uint begin = socket.NextSequence();
        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, begin, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
        uint create = socket.NextSequence();
        writer.BeginMessage(NfNetlink.MessageType(NFT_MSG_NEWTABLE), Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE, create, NfNetlink.NFPROTO_INET, 0);
        writer.PutString(NFTA_TABLE_NAME, "calisock");
        writer.EndMessage();
        uint end = socket.NextSequence();
        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, end, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
        List<NetlinkAck> answers = socket.SendBatch(writer.Written, 3, begin, end);
        Assert.Equal([new NetlinkAck(create, 0, -1, null)], answers);

        // A get now answers with the table.
        writer.Reset();
        writer.BeginMessage(NfNetlink.MessageType(NFT_MSG_GETTABLE), Rtnl.NLM_F_REQUEST, socket.NextSequence(), NfNetlink.NFPROTO_INET, 0);
        writer.PutString(NFTA_TABLE_NAME, "calisock");
        writer.EndMessage();
        string? name = null;
        int errno = socket.Dump(writer.Written, (type, payload) =>
        {
            var attributes = new AttributeReader(payload[NfNetlink.NfGenMsgLength..]);
            while (attributes.TryRead(out ushort attribute, out ReadOnlySpan<byte> value))
            {
                if (attribute == NFTA_TABLE_NAME)
                {
                    name = AttributeReader.ReadString(value);
                }
            }
        }, out _);
        Assert.Equal((0, "calisock"), (errno, name));
    }

    [Fact]
    public void Disposed_RefusesToSend()
    {
        NetlinkSocket socket = NetlinkSocket.Open(NetlinkProtocol.Route);
        socket.Dispose();
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, 1);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 1, 0, 0);
        writer.EndMessage();

        Assert.Throws<ObjectDisposedException>(() => socket.TryExecute(writer.Written, out _));
    }
}
