using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Calico.Reachability;

/// <summary>A protocol and destination port to probe, written "TCP/80".</summary>
public readonly record struct Probe(int Protocol, int Port)
{
    public static bool TryParse(string text, [NotNullWhen(true)] out Probe? probe)
    {
        ArgumentNullException.ThrowIfNull(text);
        probe = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !Packet.TryParseProtocol(text[..slash].Trim(), out var protocol)
            || !Packet.HasPorts(protocol)
            || !int.TryParse(text[(slash + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        probe = new Probe(protocol, port);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Packet.ProtocolName(Protocol).ToUpperInvariant()}/{Port}");
}
