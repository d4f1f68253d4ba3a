namespace Calico.Felix.Calc.Model;

/// <summary>
/// One entry of a workload endpoint's <c>ipNATs</c> (a floating IP): packets to <see cref="ExternalIp"/> are
/// translated to <see cref="InternalIp"/>, the workload's own address of the same family. Both are bare addresses in
/// canonical text (no prefix length).
/// </summary>
public sealed record FloatingIpIntent(string InternalIp, string ExternalIp)
{
    public bool IsIpv6 => ExternalIp.Contains(':', StringComparison.Ordinal);
}
