using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// One published port (<c>run --publish 8080:80/tcp</c>): the entry a runtime puts in the CNI
/// <c>runtimeConfig.portMappings</c> it hands the portmap plugin (which writes the DNAT, not the lab).
/// </summary>
public sealed class PortMapping
{
    public const string Tcp = "tcp";
    public const string Udp = "udp";

    public int HostPort { get; set; }

    public int ContainerPort { get; set; }

    /// <summary><see cref="Tcp"/> or <see cref="Udp"/>, lower case as the CNI convention writes it.</summary>
    public string Protocol { get; set; } = Tcp;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{HostPort}:{ContainerPort}/{Protocol}");
}
