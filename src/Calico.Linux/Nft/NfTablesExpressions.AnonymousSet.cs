using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// An anonymous constant set of a rule (<c>{ 80, 443 }</c>), sent as nft sends it right before the rule: NEWSET
/// "__set%d" (flags ANONYMOUS|CONSTANT[|INTERVAL], key type and length, NFTA_SET_ID, DESC size, userdata with the key's
/// byte order, "merge elements" and typeof), then NEWSETELEM naming it by the same id. Interval keys are already
/// encoded as nft does (sorted and merged, a leading zero interval-end element, end = last + 1).
/// </summary>
internal sealed class NfTablesAnonymousSet
{
    public NfTablesAnonymousSet(bool interval, uint keyType, int keyLength, byte[] userData, IReadOnlyList<Element> elements, int descSize)
    {
        Interval = interval;
        KeyType = keyType;
        KeyLength = keyLength;
        UserData = userData;
        Elements = elements;
        DescSize = descSize;
    }

    public bool Interval { get; }

    public uint KeyType { get; }

    public int KeyLength { get; }

    public byte[] UserData { get; }

    public IReadOnlyList<Element> Elements { get; }

    public int DescSize { get; }

    /// <summary>NEWSET: returns nothing to check against, the kernel names the failing attribute itself.</summary>
    public void WriteNewSet(NetlinkWriter writer, string table, uint id)
    {
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, table);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, NfTablesRuleAttributes.AnonymousSetName);
        uint flags = NfTablesRuleAttributes.NFT_SET_ANONYMOUS | NfTablesRuleAttributes.NFT_SET_CONSTANT
            | (Interval ? NfTablesRuleAttributes.NFT_SET_INTERVAL : 0);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_FLAGS, flags);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_TYPE, KeyType);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_LEN, (uint)KeyLength);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_ID, id);
        int desc = writer.BeginNested(NfTablesRuleAttributes.NFTA_SET_DESC);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_DESC_SIZE, (uint)DescSize);
        writer.EndNested(desc);
        writer.PutAttribute(NfTablesRuleAttributes.NFTA_SET_USERDATA, UserData);
    }

    /// <summary>NEWSETELEM body: the set by name and id, then every element (list types numbered 1.. as libnftnl does).</summary>
    public void WriteElements(NetlinkWriter writer, string table, uint id)
    {
        writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_TABLE, table);
        writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_SET, NfTablesRuleAttributes.AnonymousSetName);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_ELEM_LIST_SET_ID, id);
        int list = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        Span<byte> openInterval = stackalloc byte[6];
        openInterval[0] = NfNetlink.NFTNL_UDATA_SET_ELEM_FLAGS;
        openInterval[1] = 4;
        HostOrder.WriteUInt32(openInterval[2..], NfNetlink.NFTNL_SET_ELEM_F_INTERVAL_OPEN);
        for (int i = 0; i < Elements.Count; i++)
        {
            Element element = Elements[i];
            int nest = writer.BeginNested((ushort)(i + 1));
            if (element.IntervalEnd)
            {
                writer.PutBigEndianUInt32(NfNetlink.NFTA_SET_ELEM_FLAGS, NfNetlink.NFT_SET_ELEM_INTERVAL_END);
            }

            int key = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_KEY);
            writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, element.Key);
            writer.EndNested(key);
            if (element.OpenInterval)
            {
                writer.PutAttribute(NfNetlink.NFTA_SET_ELEM_USERDATA, openInterval);
            }

            writer.EndNested(nest);
        }

        writer.EndNested(list);
    }

    /// <summary>One element as sent: its key, whether it ends an interval, whether it opens one to the top of the key space.</summary>
    internal readonly record struct Element(byte[] Key, bool IntervalEnd, bool OpenInterval);
}
