using System.Buffers.Binary;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using static Calico.Linux.Nft.NfTablesSetsAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// Elements of a <c>type ifname : verdict</c> map, as nft 1.0.6 sends <c>add element … { "x" : goto c }</c>: the key is
/// the name NUL-padded to IFNAMSIZ (16) bytes; the data is NFTA_DATA_VERDICT { code (big-endian), [chain] }. A delete
/// sends only the key.
/// </summary>
internal static class NfTablesSetsMapElements
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the change when its key or verdict cannot be encoded.</summary>
    public static void Validate(MapElementChange change, string parameter)
    {
        string key = change.Key ?? throw new ArgumentException("map element key is null", parameter);
        if (key.Length == 0 || key.Length >= IfNameKeyLength)
        {
            throw new ArgumentException($"map key \"{key}\" is not an interface name (1 to {IfNameKeyLength - 1} characters)", parameter);
        }

        foreach (char c in key)
        {
            if (c is <= ' ' or > '~' or '"')
            {
                throw new ArgumentException($"map key \"{key}\" is not an interface name (printable ASCII, no blanks or quotes)", parameter);
            }
        }

        if (change.Add)
        {
            _ = ParseVerdict(change.Verdict, key, parameter, out _);
        }
    }

    /// <summary>One NFTA_LIST_ELEM; the change was validated when its step was added.</summary>
    public static void Write(NetlinkWriter writer, MapElementChange change)
    {
        int element = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
        Span<byte> keyBytes = stackalloc byte[IfNameKeyLength];
        keyBytes.Clear();
        for (int i = 0; i < change.Key.Length; i++)
        {
            keyBytes[i] = (byte)change.Key[i];
        }

        int key = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_KEY);
        writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, keyBytes);
        writer.EndNested(key);
        if (change.Add)
        {
            int code = ParseVerdict(change.Verdict, change.Key, nameof(change), out string? chain);
            NfTablesVerdict.Write(writer, NFTA_SET_ELEM_DATA, code, chain);
        }

        writer.EndNested(element);
    }

    /// <summary>"goto c" / "jump c" / "accept" / "drop" to the verdict code and (goto, jump) the chain.</summary>
    private static int ParseVerdict(string? verdict, string key, string parameter, out string? chain)
    {
        chain = null;
        switch (verdict)
        {
            case "accept":
                return NfTablesRuleAttributes.NF_ACCEPT;
            case "drop":
                return NfTablesRuleAttributes.NF_DROP;
        }

        int space = verdict is null ? -1 : verdict.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0)
        {
            string target = verdict![(space + 1)..];
            int code = verdict[..space] switch
            {
                "goto" => NfTablesRuleAttributes.NFT_GOTO,
                "jump" => NfTablesRuleAttributes.NFT_JUMP,
                _ => 0,
            };
            if (code != 0 && target.Length > 0 && target.Length <= 255 && !target.Contains(' ', StringComparison.Ordinal) && !target.Contains('\0', StringComparison.Ordinal))
            {
                chain = target;
                return code;
            }
        }

        throw new ArgumentException($"map element \"{key}\": verdict '{verdict}' is not goto <chain>, jump <chain>, accept or drop", parameter);
    }
}
