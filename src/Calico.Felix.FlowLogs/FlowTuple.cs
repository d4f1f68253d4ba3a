using System.Net;

namespace Calico.Felix.FlowLogs;

/// <summary>A connection's 5-tuple in its original direction (ports 0 for protocols without them).</summary>
public readonly record struct FlowTuple(IPAddress Src, IPAddress Dst, int Protocol, int SrcPort, int DstPort);
