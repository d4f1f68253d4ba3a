using System.Net;

namespace Calico.Cni;

/// <summary>What ADD produced, independent of the result version it is printed in.</summary>
internal sealed record CniResult
{
    public IReadOnlyList<ResultInterface> Interfaces { get; init; } = [];

    /// <summary>Addresses; <see cref="ResultIp.Interface"/> indexes <see cref="Interfaces"/>.</summary>
    public IReadOnlyList<ResultIp> Ips { get; init; } = [];

    public IReadOnlyList<ResultRoute> Routes { get; init; } = [];

    /// <summary>The configuration's dns, or null (printed as an empty object).</summary>
    public CniDns? Dns { get; init; }
}

internal sealed record ResultInterface(string Name, string? Mac, string? Sandbox);

internal sealed record ResultIp(IPNetwork Address, int? Interface, IPAddress? Gateway = null);

internal sealed record ResultRoute(IPNetwork Destination, IPAddress? Gateway);
