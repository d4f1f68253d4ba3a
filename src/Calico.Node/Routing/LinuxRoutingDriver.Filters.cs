using Calico.Bird;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>BGPPeers listing a BGPFilter that does not exist: BIRD runs their peerings without it, as upstream; say so once.</summary>
internal sealed partial class LinuxRoutingDriver
{
    private IReadOnlyList<MissingBgpFilter> _missingFilters = [];

    private void ReportMissingFilters(BirdInputs inputs)
    {
        var missing = BirdConfigRenderer.MissingFilters(inputs);
        if (missing.SequenceEqual(_missingFilters))
        {
            return;
        }

        foreach (var m in missing.Except(_missingFilters))
        {
            FilterLog.MissingFilter(_logger, m.PeerName, m.FilterName);
        }

        _missingFilters = missing;
    }

    private static partial class FilterLog
    {
        [LoggerMessage(70, LogLevel.Warning, "BGPPeer {Peer} lists BGPFilter {Filter}, which does not exist: its peerings run without it")]
        public static partial void MissingFilter(ILogger logger, string peer, string filter);
    }
}
