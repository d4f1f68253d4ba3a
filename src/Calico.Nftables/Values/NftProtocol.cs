using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// An IP protocol (<c>inet_proto</c>), spelled by name (<c>tcp</c>, as nft lists it) or by number (<c>6</c>): both
/// mean the same to the kernel; the spelling is kept so the text is what the renderer has always written.
/// </summary>
public sealed class NftProtocol : NftValue
{
    private NftProtocol(byte number, bool byName)
    {
        Number = number;
        ByName = byName;
    }

    public byte Number { get; }

    public bool ByName { get; }

    /// <summary>Spelled by nft's name when it has one (<c>tcp</c>, <c>ipv6-icmp</c>), else by number.</summary>
    public static NftProtocol Named(byte number) => NamedByNumber[number] ??= new(number, byName: true);

    public static NftProtocol Numeric(byte number) => NumericByNumber[number] ??= new(number, byName: false);

    // Values are immutable: one instance per spelling, made on first use (a benign race makes an equal twin).
    private static readonly NftProtocol?[] NamedByNumber = new NftProtocol?[256];

    private static readonly NftProtocol?[] NumericByNumber = new NftProtocol?[256];

    /// <summary>Parses a protocol name nft knows here or a number 0-255.</summary>
    public static bool TryParse(string text, out NftProtocol? protocol)
    {
        protocol = NumberOf(text) is int known ? Named((byte)known)
            : byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte number) ? Numeric(number) : null;
        return protocol is not null;
    }

    /// <summary>nft's name of a protocol, or null: the ones the renderer uses.</summary>
    public static string? NameOf(int number) => number switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        _ => null,
    };

    private static int? NumberOf(string name) => name switch
    {
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "ipv6-icmp" => 58,
        "sctp" => 132,
        "udplite" => 136,
        _ => null,
    };

    private protected override void FormatTo(StringBuilder sb) =>
        sb.Append(ByName && NameOf(Number) is { } name ? name : Number.ToString(CultureInfo.InvariantCulture));
}
