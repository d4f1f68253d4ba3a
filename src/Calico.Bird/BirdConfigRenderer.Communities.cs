using System.Globalization;
using System.Text;
using Calico.Api;
using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>
/// BGPConfiguration <c>prefixAdvertisements</c>: standard and large communities added to every route inside a CIDR as
/// it is exported to any BGP peer (upstream's <c>apply_communities()</c>, called before aggregation).
/// </summary>
public static partial class BirdConfigRenderer
{
    /// <summary>
    /// Lines for inside <c>calico_export_to_bgp_peers_vN</c>: <c>if (net ~ cidr) then { bgp_community.add(..); }</c>
    /// per prefix advertisement of this family. Routes are not accepted or rejected here.
    /// </summary>
    private static void WriteCommunities(StringBuilder w, IpFamily family, BirdInputs inputs)
    {
        foreach (var (cidr, values) in PrefixAdvertisements(inputs, family))
        {
            w.Append("  if (net ~ ").Append(cidr).Append(") then { # prefixAdvertisements\n");
            foreach (var value in values)
            {
                var parts = value.Split(':');
                w.Append(parts.Length == 2 ? "    bgp_community.add((" : "    bgp_large_community.add((")
                    .AppendJoin(", ", parts).Append("));\n");
            }

            w.Append("  }\n");
        }
    }

    /// <summary>
    /// This node's prefix advertisements of one family: its own BGPConfiguration's when that sets
    /// <c>prefixAdvertisements</c> (even empty: it replaces the global list, both families, as upstream), else the
    /// <c>default</c> one's. Names resolve against the same resource's <c>communities</c>; an unknown name is skipped
    /// (validation refuses it on write), duplicates are dropped and values sorted as upstream; an advertisement
    /// left with no community is not rendered.
    /// </summary>
    internal static IReadOnlyList<(string Cidr, IReadOnlyList<string> Communities)> PrefixAdvertisements(BirdInputs inputs, IpFamily family)
    {
        var config = OwnConfig(inputs) is { Spec.PrefixAdvertisements: not null } own ? own : inputs.GlobalConfig;
        var result = new List<(string, IReadOnlyList<string>)>();
        if (config?.Spec.PrefixAdvertisements is not { } advertisements)
        {
            return result;
        }

        var field = $"BGPConfiguration({config.Metadata.Name}).spec.prefixAdvertisements";
        foreach (var advertisement in advertisements)
        {
            if (string.IsNullOrEmpty(advertisement.Cidr))
            {
                continue;
            }

            var view = ParseCidrOrIp(advertisement.Cidr, field + ".cidr");
            if (view.Family != family)
            {
                continue;
            }

            var values = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in advertisement.Communities ?? [])
            {
                if (CommunityValue(entry, field + ".communities") is { } literal)
                {
                    values.Add(literal);
                }
                else if (config.Spec.Communities?.Find(c => c.Name == entry)?.Value is { } named)
                {
                    var namedField = $"BGPConfiguration({config.Metadata.Name}).spec.communities[{entry}].value";
                    values.Add(CommunityValue(named, namedField) ?? throw new BirdInputException(namedField, named, "not a community aa:nn or aa:nn:mm"));
                }
            }

            if (values.Count > 0)
            {
                result.Add((view.Cidr, values.ToList()));
            }
        }

        return result;
    }

    /// <summary>This node's own BGPConfiguration (<c>node.&lt;name&gt;</c>), if any.</summary>
    private static BGPConfiguration? OwnConfig(BirdInputs inputs) =>
        inputs.NodeConfigs.FirstOrDefault(c => c.Metadata.Name == "node." + inputs.NodeName);

    /// <summary>
    /// A literal community normalised (<c>aa:nn</c>, 16-bit parts; <c>aa:nn:mm</c>, 32-bit parts), null when the text
    /// is not shaped like one (then it is a name). A literal out of range cannot be rendered and is refused.
    /// </summary>
    internal static string? CommunityValue(string text, string field)
    {
        var parts = text.Split(':');
        if (parts.Length is not (2 or 3) || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            return null;
        }

        var max = parts.Length == 2 ? ushort.MaxValue : uint.MaxValue;
        var numbers = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > max)
            {
                throw new BirdInputException(field, text, parts.Length == 2 ? "a standard community has two 16-bit parts" : "a large community has three 32-bit parts");
            }

            numbers.Add(n.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(':', numbers);
    }

    /// <summary>A CIDR, or a single address as its /32 or /128, normalised (host bits cleared).</summary>
    private static PoolView ParseCidrOrIp(string text, string field)
    {
        if (!text.Contains('/', StringComparison.Ordinal) && Cidr.TryParseAddress(text, out var address))
        {
            text += address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "/32" : "/128";
        }

        return PoolView.Parse(text, null, field);
    }
}
