namespace Calico.Felix.Rules.Merging;

/// <summary>
/// How one merged set is made: its name (a hash of the definition), the rules contributing to it and the IP sets
/// whose members it expands. Kept with a cached endpoint chain so the set's elements can be rebuilt when only those
/// members changed, without walking the endpoint's policies again.
/// </summary>
internal sealed record MergedSetRecipe(
    string Name, int Family, MergedShape Shape, string Note, List<(SimpleRule Rule, List<string>? Nets)> Contributing, string[] IpSetIds);
