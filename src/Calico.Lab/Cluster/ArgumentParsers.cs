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

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKeyPattern();

    [GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();
}
