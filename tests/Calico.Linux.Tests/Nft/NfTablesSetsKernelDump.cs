using Calico.Linux.Nft;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// What the kernel holds for a named set (<see cref="NfTablesSetsQuery"/>): every attribute of its GETSET answer
/// (flags, key type and length, data type, DESC with concatenation field lengths, userdata, …) as "type=hex" lines,
/// except the name and handle, which differ between twins. <c>nft --debug=netlink list set</c> prints only elements.
/// </summary>
internal static class NfTablesSetsKernelDump
{
    private const ushort NFTA_SET_NAME = 2;
    private const ushort NFTA_SET_HANDLE = 16;

    public static Task<List<string>> AttributesAsync(string netnsPath, string set) =>
        NetworkNamespace.RunInAsync(netnsPath, () => Lines(set), CancellationToken.None);

    private static List<string> Lines(string set)
    {
        var lines = new List<string>();
        foreach ((ushort type, byte[] value) in NfTablesSetsQuery.GetSet("inet", "calico", set))
        {
            if (type is not NFTA_SET_NAME and not NFTA_SET_HANDLE)
            {
                lines.Add($"{type}={Convert.ToHexString(value)}");
            }
        }

        return lines;
    }
}
