using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Root tier, byte for byte: the NEWSET message our transaction sends for a declaration equals the one
/// <c>nft --debug=mnl add set|map</c> prints for it (nfgenmsg and every attribute, padding included).
/// </summary>
[Trait("Tier", "Root")]
public partial class NfTablesSetsWireTests
{
    private const ushort NewSetType = (10 << 8) | 9;

    public static TheoryData<NftSetKind, string> EveryKind()
    {
        var data = new TheoryData<NftSetKind, string>();
        foreach (object[] row in NfTablesSetsKernelTests.EveryKind())
        {
            data.Add((NftSetKind)row[0], (string)row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task AddSet_EveryKind_SendsWhatNftSends(NftSetKind kind, string declaration)
    {
        using NetnsScope scope = await TableAsync();
        string expected = NftNewSet(scope, "set", "{ " + declaration + " }");

        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddSet("s", kind);
        Assert.Equal(expected, await OurNewSetAsync(scope, transaction));
    }

    [Fact]
    public async Task AddVerdictMap_SendsWhatNftSends()
    {
        using NetnsScope scope = await TableAsync();
        string expected = NftNewSet(scope, "map", "{ type ifname : verdict; }");

        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddVerdictMap("s");
        Assert.Equal(expected, await OurNewSetAsync(scope, transaction));
    }

    private static async Task<string> OurNewSetAsync(NetnsScope scope, NfTablesTransaction transaction)
    {
        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        tables.Apply(transaction);
        ReadOnlySpan<byte> batch = tables.LastBatch;
        while (batch.Length >= 16)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(batch);
            if (BinaryPrimitives.ReadUInt16LittleEndian(batch[4..]) == NewSetType)
            {
                return Convert.ToHexString(batch[16..length]);
            }

            batch = batch[((length + 3) & ~3)..];
        }

        throw new InvalidOperationException("no NEWSET in the batch");
    }

    /// <summary>Rebuilds the NEWSET payload from nft's <c>--debug=mnl</c> print: 4-byte data rows and attribute headers.</summary>
    private static string NftNewSet(NetnsScope scope, string what, string body)
    {
        (int exit, string output, string error) = scope.Exec("nft", "--debug=mnl", "add", what, "inet", "calico", "s", body);
        Assert.True(exit == 0, error);
        var bytes = new List<byte>();
        bool inMessage = false, inPayload = false;
        foreach (string raw in (output + "\n" + error).Split('\n'))
        {
            string line = Ansi().Replace(raw, string.Empty);
            if (!inMessage)
            {
                inMessage = line.StartsWith("| 02569 |", StringComparison.Ordinal);
                continue;
            }

            if (line.StartsWith("----------------", StringComparison.Ordinal))
            {
                if (inPayload)
                {
                    break;
                }

                inPayload = true;
                continue;
            }

            if (!inPayload)
            {
                continue;
            }

            if (Header().Match(line) is { Success: true } header)
            {
                ushort type = ushort.Parse(header.Groups[3].Value, CultureInfo.InvariantCulture);
                type |= (ushort)((header.Groups[2].Value.Contains('N', StringComparison.Ordinal) ? 0x8000 : 0)
                    | (header.Groups[2].Value.Contains('B', StringComparison.Ordinal) ? 0x4000 : 0));
                ushort length = ushort.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
                bytes.AddRange([(byte)length, (byte)(length >> 8), (byte)type, (byte)(type >> 8)]);
            }
            else if (Data().Match(line) is { Success: true } data)
            {
                foreach (string hex in data.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    bytes.Add(byte.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        Assert.True(bytes.Count > 4, "no NEWSET in nft's --debug=mnl output:\n" + output + error);
        return Convert.ToHexString(bytes.ToArray());
    }

    private static Task<NetnsScope> TableAsync() => NftTestTable.CreateAsync("calt-nfw");

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^\|(\d{5})\|(..)\|(\d{5})\|")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\| ((?:[0-9a-f]{2} ){4}) \|")]
    private static partial Regex Data();
}
