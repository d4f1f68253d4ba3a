using System.Net;

namespace Calico.Lab.Cluster;

/// <summary>A pod as a prober sees it: its display name, namespace file and address.</summary>
public sealed record ProbeTarget(string Name, string NetnsPath, IPAddress Address);
