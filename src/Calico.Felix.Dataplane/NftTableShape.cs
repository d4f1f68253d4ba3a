namespace Calico.Felix.Dataplane;

/// <summary>Counts of one IP version label's objects in <c>table inet calico</c> (see <see cref="DataplaneStatistics.TableApplied"/>); null where
/// the label has no such objects by construction (chains, rules and maps are all <c>inet</c>).</summary>
public sealed record NftTableShape(string IpVersion, int? Chains, int? Rules, int Sets, int? Maps);
