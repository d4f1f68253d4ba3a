using System.Net;

namespace Calico.Felix.Bpf;

/// <summary>struct cali_ct_key read back: the flow's two ends as stored (the lower address:port first), protocol, family.</summary>
public sealed record ConntrackTuple(IPAddress Low, ushort LowPort, IPAddress High, ushort HighPort, byte Protocol, byte Family);
