namespace Calico.Benchmarks;

/// <summary>A pod-to-pod path to measure: client and server namespaces (names under /var/run/netns) and the server's address.</summary>
internal sealed record RoutingPath(string Label, string ClientNetns, string ServerNetns, string ServerIp);
