namespace Calico.Api.Support;

public static partial class SupportMatrix
{
    /// <summary>BGPFilter: every rule field is rendered into BIRD functions (Calico.Bird, BirdConfigRenderer.BgpFilters).</summary>
    private static void BgpFilterRows(Builder b)
    {
        const string Filter = "BGPFilter";
        b.Metadata(Filter);
        foreach (var list in new[] { "spec.exportV4[]", "spec.importV4[]", "spec.exportV6[]", "spec.importV6[]" })
        {
            b.Acts(Filter, list + ".action", "Accept or Reject ends the peering's filter for a matching route; a route no rule matches goes on to the next listed filter, then to the default (import: accept; export: Calico's own export rules) (BIRD)");
            b.Acts(Filter, list + ".cidr", "prefix match with matchOperator (BIRD `net ~`/`=`/`!~`/`!=`; host bits are masked)");
            b.Acts(Filter, list + ".matchOperator", "Equal, NotEqual, In, NotIn for cidr");
            b.Acts(Filter, list + ".prefixLength", "narrows an In/NotIn cidr match to prefix lengths min..max (BIRD prefix pattern); with Equal/NotEqual it limits the cidr's own length", subtree: true);
            b.Acts(Filter, list + ".source", "RemotePeers: only routes learned over BGP (`source ~ [ RTS_BGP ]`)");
            b.Acts(Filter, list + ".interface", "the route's outgoing interface matches the pattern (`ifname ~`)");
            b.Acts(Filter, list + ".peerType", "the rule applies only to iBGP (peer AS = ours) or eBGP peerings");
            b.Acts(Filter, list + ".communities", "the route carries the standard (aa:nn) or large (aa:nn:mm) community", subtree: true);
            b.Acts(Filter, list + ".asPathPrefix", "the route's AS path begins with these AS numbers");
            b.Acts(Filter, list + ".priority", "the route's priority, as upstream: BGP local preference 2^31-1 minus the priority (export gives local routes one from their kernel metric)");
            b.Acts(Filter, list + ".operations[].addCommunity", "adds the standard or large community to the accepted route", subtree: true);
            b.Acts(Filter, list + ".operations[].prependASPath", "prepends the AS numbers, first listed first in the path", subtree: true);
            b.Acts(Filter, list + ".operations[].setPriority", list.Contains("import", StringComparison.Ordinal)
                ? "sets the route's local preference (2^31-1 minus the value) and its kernel metric to the value"
                : "sets the local preference sent to iBGP peers (2^31-1 minus the value); a receiving node here does not map it back to a kernel metric (route priorities are not modelled)", subtree: true);
        }
    }
}
