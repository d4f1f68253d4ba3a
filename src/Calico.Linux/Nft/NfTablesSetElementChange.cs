namespace Calico.Linux.Nft;

/// <summary>
/// Add (<paramref name="Add"/> true) or delete one element of the set <paramref name="Set"/>; <paramref name="Element"/>
/// is the text Calico.Felix.Rules renders for it ("10.0.0.0/24", "10.0.0.1", "10.0.0.1 . tcp . 80") and
/// <paramref name="Kind"/> says how the set is declared, hence how the key is encoded.
/// </summary>
public sealed record SetElementChange(string Set, NftSetKind Kind, bool Add, string Element);
