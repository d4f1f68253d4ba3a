using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// Decodes an nflog prefix into the policy hit it stands for and the side that reports it (egress from a local
/// endpoint: <see cref="Reporter.Src"/>; ingress to one: <see cref="Reporter.Dst"/>). The packet's tuple lets an
/// end-of-tier hit name its trigger (the tier's first policy selecting that endpoint). Unknown prefixes (a table
/// replaced since the packet was logged) return false.
/// </summary>
public interface IFlowLogPrefixDecoder
{
    bool TryDecode(string prefix, FlowTuple tuple, out Reporter reporter, out PolicyHit hit);
}
