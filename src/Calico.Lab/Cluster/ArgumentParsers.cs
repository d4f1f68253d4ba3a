using System.Text.RegularExpressions;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary>The lab's small argument grammars; each error names the bad value.</summary>
public static partial class ArgumentParsers
{
    /// <summary><c>TCP/80,UDP/81</c> (TCP or UDP only: what a listener can serve and a probe can test).</summary>
    public static IReadOnlyList<Probe> ParseServe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<Probe>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Probe.TryParse(item, out var probe) || probe.Value.Protocol is not (Packet.Tcp or Packet.Udp))
            {
                throw new LabException($"--serve item '{item}' is not TCP/<port> or UDP/<port> (port 1-65535)");
            }

            if (!result.Contains(probe.Value))
            {
                result.Add(probe.Value);
            }
        }

        return result;
    }

    /// <summary><c>k=v,k2=v2</c> with Kubernetes label syntax (optional DNS prefix, name and value up to 63 characters).</summary>
    public static IReadOnlyDictionary<string, string> ParseLabels(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? item : item[..equals];
            var value = equals < 0 ? null : item[(equals + 1)..];
            if (value is null || !LabelKeyPattern().IsMatch(key) || !LabelValuePattern().IsMatch(value))
            {
                throw new LabException($"--labels item '{item}' is not key=value (a Kubernetes label: [prefix/]name, value of letters, digits, '-', '_', '.')");
            }

            labels[key] = value;
        }

        return labels;
    }

    /// <summary>
    /// One <c>--publish</c> value: <c>&lt;hostPort&gt;:&lt;port&gt;[/tcp|udp]</c> (protocol tcp when omitted, ports 1-65535),
    /// as <c>podman run -p</c> writes it without a host address.
    /// </summary>
    public static PortMapping ParsePublish(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = PublishPattern().Match(text);
        if (!match.Success
            || !TryParsePort(match.Groups["host"].Value, out var hostPort)
            || !TryParsePort(match.Groups["port"].Value, out var containerPort))
        {
            throw new LabException($"--publish '{text}' is not <hostPort>:<port>[/tcp|/udp] (ports 1-65535)");
        }

        return new PortMapping
        {
            HostPort = hostPort,
            ContainerPort = containerPort,
            Protocol = match.Groups["proto"].Success ? match.Groups["proto"].Value.ToLowerInvariant() : PortMapping.Tcp,
        };
    }

    /// <summary>Each host port and protocol once: two mappings of one host port could not both be reached.</summary>
    public static void RequireDistinctHostPorts(IReadOnlyList<PortMapping> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        for (var i = 0; i < mappings.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (mappings[i].HostPort == mappings[j].HostPort && mappings[i].Protocol == mappings[j].Protocol)
                {
                    throw new LabException($"--publish '{mappings[i]}' maps host port {mappings[i].HostPort}/{mappings[i].Protocol} again (already '{mappings[j]}')");
                }
            }
        }
    }

    private static bool TryParsePort(string digits, out int port) =>
        int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <summary><c>ns/name</c> where both are DNS labels (they name a netns and a WorkloadEndpoint).</summary>
    public static PodRef ParsePod(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!PodRef.TryParse(text, out var pod) || !DnsLabelPattern().IsMatch(pod.Value.Namespace) || !DnsLabelPattern().IsMatch(pod.Value.Name))
        {
            throw new LabException($"'{text}' is not <namespace>/<pod> (each a lower-case DNS label)");
        }

        return pod.Value;
    }

    [GeneratedRegex("^(?<host>[0-9]{1,5}):(?<port>[0-9]{1,5})(/(?<proto>tcp|udp|TCP|UDP))?$")]
    private static partial Regex PublishPattern();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKeyPattern();

    [GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();
}
