using System.Collections.Immutable;
using Calico.Linux.Nft;
using Calico.Nftables;

namespace Calico.Linux.Tests.Nft;

/// <summary>Short builders of typed rules for the tests, and their encoding.</summary>
internal static class TypedRules
{
    public static NftCounter Counter => NftCounter.Instance;

    public static NftVerdict Accept => NftVerdict.Accept;

    public static NftVerdict Drop => NftVerdict.Drop;

    public static NftVerdict Return => NftVerdict.Return;

    public static NftRule R(params NftStatement[] statements) => new(statements);

    public static NftRule Commented(string comment, params NftStatement[] statements) => new(statements, comment);

    public static NftMatch Is(NftField field, NftValue value) => new(field, value);

    public static NftMatch Not(NftField field, NftValue value) => new(field, value, negated: true);

    public static NftMatch Is(NftField[] fields, NftValue value) => new(ImmutableArray.Create(fields), value);

    public static NftMatch Not(NftField[] fields, NftValue value) => new(ImmutableArray.Create(fields), value, negated: true);

    public static NftPrefix Ip(string text) => NftPrefix.Parse(text);

    public static NftPortRange Port(int port) => new(port);

    public static NftPortRange Ports(int first, int last) => new(first, last);

    public static NftProtocol Proto(byte number) => NftProtocol.Named(number);

    public static NftNumber N(byte value) => new(value);

    public static NftAnonymousSet Set(params NftValue[] elements) => new(elements);

    public static NftConcatenation Cat(params NftValue[] parts) => new(parts);

    public static NftSetReference At(string name) => new(name);

    public static NftInterfaceName If(string name) => name.EndsWith('*') ? new(name[..^1], wildcard: true) : new(name);

    public static NftCtState Ct(NftCtStates states) => new(states);

    public static NfTablesRule Encode(NftRule rule)
    {
        Assert.True(NfTablesRule.TryEncode(rule, null, out NfTablesRule? encoded, out string? reason), reason);
        return encoded!;
    }
}
