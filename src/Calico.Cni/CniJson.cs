using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Cni;

/// <summary>Wire shapes of results, errors and VERSION answers, serialized through the source generator.</summary>
internal static class CniJson
{
    public static string Result(CniResult result, string cniVersion)
    {
        var withIpVersion = CniVersions.ResultHasIpVersion(cniVersion);
        var dto = new ResultDto
        {
            CniVersion = cniVersion,
            Interfaces = result.Interfaces.Count == 0 ? null : [.. result.Interfaces.Select(i => new InterfaceDto { Name = i.Name, Mac = i.Mac, Sandbox = i.Sandbox })],
            Ips = [.. result.Ips.Select(ip => new IpDto
            {
                Version = withIpVersion ? (ip.Address.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? "4" : "6") : null,
                Address = ip.Address.ToString(),
                Gateway = ip.Gateway?.ToString(),
                Interface = ip.Interface,
            })],
            Routes = result.Routes.Count == 0 ? null : [.. result.Routes.Select(r => new RouteDto { Dst = r.Destination.ToString(), Gw = r.Gateway?.ToString() })],
            Dns = result.Dns is not { } dns ? new DnsDto() : new DnsDto
            {
                Nameservers = dns.Nameservers.Count == 0 ? null : [.. dns.Nameservers],
                Domain = dns.Domain,
                Search = dns.Search.Count == 0 ? null : [.. dns.Search],
                Options = dns.Options.Count == 0 ? null : [.. dns.Options],
            },
        };
        return JsonSerializer.Serialize(dto, CniJsonContext.Default.ResultDto);
    }

    public static string Error(string cniVersion, int code, string message, string? details) =>
        JsonSerializer.Serialize(new ErrorDto { CniVersion = cniVersion, Code = code, Msg = message, Details = details }, CniJsonContext.Default.ErrorDto);

    public static string Version(string cniVersion) =>
        JsonSerializer.Serialize(new VersionDto { CniVersion = cniVersion, SupportedVersions = [.. CniVersions.Supported] }, CniJsonContext.Default.VersionDto);
}

internal sealed class ResultDto
{
    [JsonPropertyName("cniVersion")]
    public string CniVersion { get; set; } = "";

    [JsonPropertyName("interfaces")]
    public List<InterfaceDto>? Interfaces { get; set; }

    [JsonPropertyName("ips")]
    public List<IpDto> Ips { get; set; } = [];

    [JsonPropertyName("routes")]
    public List<RouteDto>? Routes { get; set; }

    [JsonPropertyName("dns")]
    public DnsDto Dns { get; set; } = new();
}

internal sealed class InterfaceDto
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("mac")]
    public string? Mac { get; set; }

    [JsonPropertyName("sandbox")]
    public string? Sandbox { get; set; }
}

internal sealed class IpDto
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("address")]
    public string Address { get; set; } = "";

    [JsonPropertyName("gateway")]
    public string? Gateway { get; set; }

    [JsonPropertyName("interface")]
    public int? Interface { get; set; }
}

internal sealed class RouteDto
{
    [JsonPropertyName("dst")]
    public string Dst { get; set; } = "";

    [JsonPropertyName("gw")]
    public string? Gw { get; set; }
}

internal sealed class DnsDto
{
    [JsonPropertyName("nameservers")]
    public List<string>? Nameservers { get; set; }

    [JsonPropertyName("domain")]
    public string? Domain { get; set; }

    [JsonPropertyName("search")]
    public List<string>? Search { get; set; }

    [JsonPropertyName("options")]
    public List<string>? Options { get; set; }
}

internal sealed class ErrorDto
{
    [JsonPropertyName("cniVersion")]
    public string CniVersion { get; set; } = "";

    [JsonPropertyName("code")]
    public int Code { get; set; }

    [JsonPropertyName("msg")]
    public string Msg { get; set; } = "";

    [JsonPropertyName("details")]
    public string? Details { get; set; }
}

internal sealed class VersionDto
{
    [JsonPropertyName("cniVersion")]
    public string CniVersion { get; set; } = "";

    [JsonPropertyName("supportedVersions")]
    public List<string> SupportedVersions { get; set; } = [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResultDto))]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(VersionDto))]
internal sealed partial class CniJsonContext : JsonSerializerContext;
