using System.Globalization;
using System.Net;
using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// One BGPFilter rule as one BIRD statement, as upstream's <c>filterStatement</c> renders it: the match conditions
/// AND-ed, then the operations and the action; <c>peerType</c> wraps the whole in <c>if (is_same_as)</c>.
/// </summary>
internal static class BgpFilterStatement
{
    /// <summary>
    /// Linux metrics and BGP local preference run in opposite directions; upstream converts with
    /// <c>local_pref = 2^31-1 - priority</c> (priorities are validated to 1..2^31-2).
    /// </summary>
    public const long PriorityBase = 2147483647;

    /// <summary>The custom route attribute carrying an import rule's <c>setPriority</c> to the kernel protocol.</summary>
    public const string PriorityAttribute = "calico_filter_priority";

    public static string Render(BgpFilterRule rule, IpFamily family, BgpFilterDirection direction, string field)
    {
        var conditions = new List<string>();
        if (!string.IsNullOrEmpty(rule.Cidr))
        {
            conditions.Add(CidrCondition(rule, family, field));
        }

        if (!string.IsNullOrEmpty(rule.Source))
        {
            conditions.Add(rule.Source == "RemotePeers"
                ? "((defined(source))&&(source ~ [ RTS_BGP ]))"
                : throw new BirdInputException($"{field}.source", rule.Source, "only RemotePeers is known"));
        }

        if (!string.IsNullOrEmpty(rule.Interface))
        {
            var pattern = BirdConfigRenderer.Quote(rule.Interface, $"{field}.interface");
            conditions.Add($"((defined(ifname))&&(ifname ~ \"{pattern}\"))");
        }

        if (rule.Communities is not null)
        {
            var value = rule.Communities.Values is { Count: > 0 } values
                ? values[0]
                : throw new BirdInputException($"{field}.communities.values", null, "one community is required");
            var (tuple, attribute) = Community(value, $"{field}.communities.values[0]");
            conditions.Add($"({tuple} ~ {attribute})");
        }

        if (rule.AsPathPrefix is { Count: > 0 } path)
        {
            conditions.Add($"(bgp_path ~ [= {string.Join(' ', path)} * =])");
        }

        if (rule.Priority is { } priority)
        {
            conditions.Add($"(defined(bgp_local_pref)&&(bgp_local_pref = {PriorityBase - priority}))");
        }

        var body = new List<string>();
        for (var i = 0; i < (rule.Operations?.Count ?? 0); i++)
        {
            body.AddRange(Operation(rule.Operations![i], direction, $"{field}.operations[{i}]"));
        }

        body.Add(rule.Action switch
        {
            "Accept" => "accept;",
            "Reject" => "reject;",
            _ => throw new BirdInputException($"{field}.action", rule.Action, "must be Accept or Reject"),
        });

        var statement = conditions.Count == 0
            ? string.Join(' ', body)
            : $"if ({string.Join("&&", conditions)}) then {{ {string.Join(' ', body)} }}";
        return rule.PeerType switch
        {
            null or "" => statement,
            "iBGP" => $"if (is_same_as) then {{ {statement} }}",
            "eBGP" => $"if (!is_same_as) then {{ {statement} }}",
            _ => throw new BirdInputException($"{field}.peerType", rule.PeerType, "must be iBGP or eBGP"),
        };
    }

    private static string CidrCondition(BgpFilterRule rule, IpFamily family, string field)
    {
        if (!Api.Cidr.TryParse(rule.Cidr!, out IPNetwork network) || (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) != (family == IpFamily.V4))
        {
            throw new BirdInputException($"{field}.cidr", rule.Cidr, $"not an IPv{(family == IpFamily.V4 ? 4 : 6)} CIDR");
        }

        // BIRD 2 refuses a prefix with host bits set; BIRD 1 (upstream) masks them, so the masked network is the same match.
        var cidr = Api.Cidr.Format(network);
        var op = rule.MatchOperator switch
        {
            "Equal" => "=",
            "NotEqual" => "!=",
            "In" => "~",
            "NotIn" => "!~",
            _ => throw new BirdInputException($"{field}.matchOperator", rule.MatchOperator, "must be Equal, NotEqual, In or NotIn"),
        };
        if (rule.PrefixLength is not { } lengths)
        {
            return $"(net {op} {cidr})";
        }

        // Upstream clamps the range to the CIDR's own length and the family's width; an empty range (upstream
        // accepts e.g. ffff::/128 with max 96) matches nothing, which BIRD cannot write as a prefix pattern.
        var low = Math.Max(network.PrefixLength, lengths.Min ?? 0);
        var high = Math.Min(family == IpFamily.V4 ? 32 : 128, lengths.Max ?? 128);
        if (op is "=" or "!=")
        {
            // BIRD cannot compare a prefix with a pattern: Equal matches the CIDR itself, so the range only decides
            // whether its own length is allowed.
            var allowed = low == network.PrefixLength && low <= high;
            return allowed ? $"(net {op} {cidr})" : op == "=" ? "(false)" : "(true)";
        }

        if (low > high)
        {
            return op == "~" ? "(false)" : "(true)";
        }

        return $"(net {op} [ {cidr}{{{low},{high}}} ])";
    }

    private static List<string> Operation(BGPFilterOperation operation, BgpFilterDirection direction, string field)
    {
        if (operation.AddCommunity is { } add)
        {
            var (tuple, attribute) = Community(add.Value ?? "", $"{field}.addCommunity.value");
            return [$"{attribute}.add({tuple});"];
        }

        if (operation.PrependASPath is { } prepend)
        {
            // BIRD prepends one AS at a time; the last prepended ends up first, so walk the list backwards.
            return (prepend.Prefix ?? []).AsEnumerable().Reverse().Select(asn => $"bgp_path.prepend({asn});").ToList();
        }

        if (operation.SetPriority?.Value is { } priority)
        {
            var localPref = $"bgp_local_pref = {PriorityBase - priority};";
            return direction == BgpFilterDirection.Import ? [localPref, $"{PriorityAttribute} = {priority};"] : [localPref];
        }

        throw new BirdInputException(field, null, "exactly one of addCommunity, prependASPath or setPriority must be set");
    }

    /// <summary><c>aa:nn</c> is a standard community, <c>aa:nn:mm</c> a large one.</summary>
    private static (string Tuple, string Attribute) Community(string value, string field)
    {
        var parts = value.Split(':');
        var valid = parts.All(p => uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (parts.Length == 3 || n <= ushort.MaxValue));
        return (parts.Length, valid) switch
        {
            (2, true) => ($"({parts[0]}, {parts[1]})", "bgp_community"),
            (3, true) => ($"({parts[0]}, {parts[1]}, {parts[2]})", "bgp_large_community"),
            _ => throw new BirdInputException(field, value, "a community is aa:nn (16-bit parts) or aa:nn:mm (32-bit parts)"),
        };
    }
}
