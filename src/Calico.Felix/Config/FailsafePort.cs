namespace Calico.Felix.Config;

/// <summary>One element of upstream's port-list parameters (<c>tcp:22</c>, <c>udp:10.0.0.0/8:68</c>, <c>tcp:[fd00::/8]:22</c>).</summary>
public sealed record FailsafePort(string Protocol, ushort Port, string? Net)
{
    public override string ToString() =>
        Net is null ? $"{Protocol}:{Port}"
        : Net.Contains(':', StringComparison.Ordinal) ? $"{Protocol}:[{Net}]:{Port}"
        : $"{Protocol}:{Net}:{Port}";
}
