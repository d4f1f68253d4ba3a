using System.Globalization;
using System.Text.RegularExpressions;

namespace Calico.Api;

/// <summary>Upstream's struct-level validators that the generated tag and schema tables cannot express.</summary>
public static partial class ResourceValidator
{
    [GeneratedRegex("^[a-zA-Z0-9_ -]+$")]
    private static partial Regex HealthTimeoutOverrideNameRegex();

    [GeneratedRegex(@"^(\d+):(\d+)$")]
    private static partial Regex StandardCommunityRegex();

    [GeneratedRegex(@"^(\d+):(\d+):(\d+)$")]
    private static partial Regex LargeCommunityRegex();

    private static void CheckReservedNetworkSetLabel(Errors errors, Resource r)
    {
        if (r.Metadata.Labels?.ContainsKey(ResourceDefaults.LabelNamespace) == true)
            errors.Add("Metadata.Labels (label)", ResourceDefaults.LabelNamespace, "projectcalico.org/namespace is not a valid label name");
    }

    private static void ValidateKubeControllers(Errors errors, KubeControllersConfigurationSpec spec)
    {
        ForEach(spec.Controllers.Node?.HostEndpoint?.Templates, t =>
        {
            CheckSelector(errors, "NodeSelector", t.NodeSelector);
            if (t.Annotations is { } annotations)
                ValidateAnnotations(errors, annotations);
        });
    }

    /// <summary>validateFelixConfigSpec and validateHealthTimeoutOverride.</summary>
    private static void ValidateFelixStructLevel(Errors errors, FelixConfigurationSpec c)
    {
        if (c.KubeNodePortRanges is { } ranges)
        {
            if (ranges.Count > 7)
                errors.Add("KubeNodePortRanges", null, "node port ranges list is too long (max 7)");
            if (ranges.Exists(p => p.IsNamed))
                errors.Add("KubeNodePortRanges", null, "node port ranges should not contain named ports");
        }
        ForEach(c.ExternalNodesList, cidr =>
        {
            if (!TryParseCidrOrIp(cidr, out var net))
                errors.Add("ExternalNodesCIDRList", cidr, "has invalid CIDR(s)");
            else if (Cidr.Family(net) != 4)
                errors.Add("ExternalNodesCIDRList", cidr, "has invalid IPv6 CIDR");
        });
        const int maxRegionLength = 63 - 17; // a DNS label less "openstack-region-"
        if (c.OpenstackRegion is { Length: > 0 } region)
        {
            if (region.Length > maxRegionLength)
                errors.Add("OpenstackRegion", region, "is too long");
            else if (!TierNameRegex().IsMatch(region))
                errors.Add("OpenstackRegion", region, "must be a valid DNS label");
        }
        if (c.RouteTableRanges is { } tableRanges)
        {
            long tables = 0;
            foreach (var r in tableRanges)
                tables += (long)r.Max - r.Min + 1;
            if (tables > 0xffff)
                errors.Add("RouteTableRanges", tables.ToString(CultureInfo.InvariantCulture), "targets too many tables");
        }
        ForEach(c.HealthTimeoutOverrides, h =>
        {
            if (!HealthTimeoutOverrideNameRegex().IsMatch(h.Name))
                errors.Add("HealthTimeoutOverride.Name", h.Name, "name should match regex ^[a-zA-Z0-9_ -]+$");
            // Upstream's validateHealthTimeoutOverride: the timeout must not be negative (syntax is the decoder's).
            if (GoDuration.TryParse(h.Timeout, out long nanoseconds) && nanoseconds < 0)
                errors.Add("HealthTimeoutOverride.Timeout", h.Timeout, "timeout must be non-negative");
        });
    }

    /// <summary>validateBGPConfigurationSpec: community values and the communities prefix advertisements use.</summary>
    private static void ValidateCommunities(Errors errors, BGPConfigurationSpec spec)
    {
        ForEach(spec.Communities, community =>
        {
            if (string.IsNullOrEmpty(community.Name))
                errors.Add("Spec.Communities[].Name", null, "Reason: failed to validate Field: Name because of Tag: required ");
            if (string.IsNullOrEmpty(community.Value))
                errors.Add("Spec.Communities[].Value", null, "Reason: failed to validate Field: Value because of Tag: required ");
            else if (!IsValidCommunity(community.Value))
                errors.Add("Spec.Communities[].Value", community.Value, "invalid community value or format used.");
        });
        ForEach(spec.PrefixAdvertisements, pa =>
        {
            if (string.IsNullOrEmpty(pa.Cidr) || !TryParseCidrOrIp(pa.Cidr, out _))
                errors.Add("Spec.PrefixAdvertisement[].CIDR", pa.Cidr, "invalid CIDR value.");
            if (pa.Communities is not { Count: > 0 })
                errors.Add("Spec.PrefixAdvertisement[].Communities", null, "Reason: failed to validate Field: Communities because of Tag: required ");
            ForEach(pa.Communities, v =>
            {
                var looksLikeValue = StandardCommunityRegex().IsMatch(v) || LargeCommunityRegex().IsMatch(v);
                if (looksLikeValue ? !IsValidCommunity(v) : spec.Communities?.Exists(c => c.Name == v) != true)
                    errors.Add("Spec.PrefixAdvertisement[].Communities[]", v, "community used is invalid or not defined.");
            });
        });
    }

    /// <summary>Standard a:b (16-bit parts) or large a:b:c (32-bit parts).</summary>
    private static bool IsValidCommunity(string value)
    {
        var standard = StandardCommunityRegex().Match(value);
        if (standard.Success)
            return standard.Groups.Values.Skip(1).All(g => ulong.TryParse(g.Value, CultureInfo.InvariantCulture, out var n) && n <= ushort.MaxValue);
        var large = LargeCommunityRegex().Match(value);
        return large.Success && large.Groups.Values.Skip(1).All(g => ulong.TryParse(g.Value, CultureInfo.InvariantCulture, out var n) && n <= uint.MaxValue);
    }
}
