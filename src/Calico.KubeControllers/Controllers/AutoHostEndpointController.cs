using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Calico.Api;
using Calico.Client;
using Calico.KubeControllers.Config;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers.Controllers;

/// <summary>
/// Upstream's automatic host endpoints (<c>kube-controllers/pkg/controllers/node/hostendpoints.go</c>): with
/// <c>autoCreate: Enabled</c>, every Node gets <c>&lt;node&gt;-auto-hep</c> (<c>interfaceName: "*"</c>, the node's labels,
/// <c>expectedIPs</c> from its addresses, profile <c>projectcalico-default-allow</c>) unless
/// <c>createDefaultHostEndpoint: Disabled</c>, plus one per matching template (<c>&lt;node&gt;-&lt;generateName&gt;-auto-hep</c>,
/// or one per interface matching <c>interfacePattern</c>). Host endpoints it made carry
/// <c>projectcalico.org/created-by: calico-kube-controllers</c>; those whose node is gone, or that no setting asks for
/// any more (autoCreate disabled included), are deleted. Host endpoints without that label are never touched.
/// </summary>
internal sealed partial class AutoHostEndpointController(ResourceClient client, ILogger logger)
{
    public const string CreatedByLabel = "projectcalico.org/created-by";
    public const string CreatedByValue = "calico-kube-controllers";
    public const string Suffix = "auto-hep";

    /// <summary>Brings the auto host endpoints in line with the nodes; returns how many were created, updated, deleted.</summary>
    public async Task<(int Created, int Updated, int Deleted)> SyncAsync(NodeControllerConfigRun config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (nodeItems, _) = await client.ListAsync(ResourceKinds.Node, null, cancellationToken).ConfigureAwait(false);
        var (hepItems, _) = await client.ListAsync(ResourceKinds.HostEndpoint, null, cancellationToken).ConfigureAwait(false);
        var existing = hepItems.Cast<HostEndpoint>()
            .Where(h => h.Metadata.Labels?.GetValueOrDefault(CreatedByLabel) == CreatedByValue)
            .ToDictionary(h => h.Metadata.Name!, StringComparer.Ordinal);

        var wanted = new Dictionary<string, HostEndpoint>(StringComparer.Ordinal);
        if (config.AutoCreateHostEndpoints)
        {
            foreach (var node in nodeItems.Cast<Node>())
            {
                foreach (var hep in Expected(node, config))
                {
                    wanted[hep.Metadata.Name!] = hep;
                }
            }
        }

        int created = 0, updated = 0, deleted = 0;
        foreach (var (name, hep) in wanted)
        {
            if (!existing.TryGetValue(name, out var current))
            {
                var result = await client.CreateAsync(hep, cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    created++;
                    Log.Created(logger, name, hep.Spec.Node ?? "");
                }
                else
                {
                    Log.WriteFailed(logger, name, result.Message);
                }

                continue;
            }

            if (!NeedsUpdate(current, hep))
            {
                continue;
            }

            current.Metadata.Labels = hep.Metadata.Labels;
            current.Metadata.Annotations = hep.Metadata.Annotations;
            current.Spec.ExpectedIPs = hep.Spec.ExpectedIPs;
            current.Spec.InterfaceName = hep.Spec.InterfaceName;
            current.Spec.Node = hep.Spec.Node;
            current.Spec.Profiles = hep.Spec.Profiles;
            var updateResult = await client.UpdateAsync(current, cancellationToken).ConfigureAwait(false);
            if (updateResult.Succeeded)
            {
                updated++;
            }
            else
            {
                Log.WriteFailed(logger, name, updateResult.Message);
            }
        }

        foreach (var (name, current) in existing)
        {
            if (wanted.ContainsKey(name))
            {
                continue;
            }

            var result = await client.DeleteAsync(ResourceKinds.HostEndpoint, null, name, current.Metadata.ResourceVersion, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || result.Status == OperationStatus.NotFound)
            {
                deleted++;
                Log.Deleted(logger, name);
            }
            else
            {
                Log.WriteFailed(logger, name, result.Message);
            }
        }

        return (created, updated, deleted);
    }

    /// <summary>The host endpoints a node should have under <paramref name="config"/> (pure).</summary>
    internal static List<HostEndpoint> Expected(Node node, NodeControllerConfigRun config)
    {
        var result = new List<HostEndpoint>();
        var name = node.Metadata.Name!;
        var ips = ExpectedIps(node);
        if (config.CreateDefaultHostEndpoint)
        {
            result.Add(Generate(node, null, null, NameFor(name, null, null), ips, "*"));
        }

        foreach (var template in config.Templates)
        {
            var selector = string.IsNullOrEmpty(template.NodeSelector) ? Selectors.Selector.All : Selectors.Selector.Parse(template.NodeSelector);
            if (!selector.Matches((IReadOnlyDictionary<string, string>?)node.Metadata.Labels ?? new Dictionary<string, string>()))
            {
                continue;
            }

            var matching = MatchingCidrs(ips, template.InterfaceCIDRs);
            if (string.IsNullOrEmpty(template.InterfacePattern))
            {
                // Without an interface name the endpoint is bound by its addresses: none, no endpoint.
                if (matching.Count > 0)
                {
                    result.Add(Generate(node, template.Labels, template.Annotations, NameFor(name, template.GenerateName, null), matching, null));
                }

                continue;
            }

            var pattern = new Regex(template.InterfacePattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            foreach (var iface in node.Spec.Interfaces ?? [])
            {
                if (iface.Name is { Length: > 0 } ifName && pattern.IsMatch(ifName))
                {
                    var merged = new List<string>(matching);
                    foreach (var a in iface.Addresses ?? [])
                    {
                        if (!merged.Contains(a))
                        {
                            merged.Add(a);
                        }
                    }

                    result.Add(Generate(node, template.Labels, template.Annotations, NameFor(name, template.GenerateName, ifName), merged, ifName));
                }
            }
        }

        return result;
    }

    /// <summary>Upstream's <c>getExpectedIPs</c>: BGP addresses, tunnel addresses, internal addresses, interface addresses.</summary>
    internal static List<string> ExpectedIps(Node node)
    {
        var candidates = new List<string?>
        {
            HostPart(node.Spec.Bgp?.Ipv4Address),
            HostPart(node.Spec.Bgp?.Ipv6Address),
            node.Spec.Bgp?.Ipv4IPIPTunnelAddr,
            node.Spec.Ipv4VXLANTunnelAddr,
            node.Spec.Ipv6VXLANTunnelAddr,
            node.Spec.Wireguard?.InterfaceIPv4Address,
            node.Spec.Wireguard?.InterfaceIPv6Address,
        };
        candidates.AddRange((node.Spec.Addresses ?? []).Where(a => a.Type == "InternalIP").Select(a => a.Address));
        candidates.AddRange((node.Spec.Interfaces ?? []).SelectMany(i => i.Addresses ?? []));
        var result = new List<string>();
        foreach (var ip in candidates)
        {
            if (!string.IsNullOrEmpty(ip) && !result.Contains(ip) && (IPAddress.TryParse(ip, out _) || Cidr.TryParse(ip, out _)))
            {
                result.Add(ip);
            }
        }

        return result;
    }

    /// <summary>Upstream's <c>generateAutoHostEndpointName</c> (hashed when longer than a DNS-1123 subdomain allows).</summary>
    internal static string NameFor(string node, string? template, string? iface)
    {
        string name = template is null ? $"{node}-{Suffix}"
            : iface is null ? $"{node}-{template}-{Suffix}"
            : $"{node}-{template}-{iface}-{Suffix}";
        if (name.Length <= 253)
        {
            return name;
        }

        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(name))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        hash = Regex.Replace(hash, "[-_.]", "", RegexOptions.None, TimeSpan.FromSeconds(1));
        name = (hash + "-" + Suffix).ToLowerInvariant();
        return name.Length > 253 ? name[..253] : name;
    }

    private static HostEndpoint Generate(Node node, Dictionary<string, string>? templateLabels, Dictionary<string, string>? annotations, string name, List<string> ips, string? interfaceName)
    {
        var labels = new Dictionary<string, string>(node.Metadata.Labels ?? [], StringComparer.Ordinal);
        foreach (var (k, v) in templateLabels ?? [])
        {
            labels[k] = v;
        }

        labels[CreatedByLabel] = CreatedByValue;
        var hep = new HostEndpoint();
        hep.Metadata.Name = name;
        hep.Metadata.Labels = labels;
        hep.Metadata.Annotations = annotations is { Count: > 0 } ? new Dictionary<string, string>(annotations, StringComparer.Ordinal) : null;
        hep.Spec.Node = node.Metadata.Name;
        hep.Spec.ExpectedIPs = [.. ips];
        hep.Spec.Profiles = [ResourceClient.DefaultAllowProfileName];
        hep.Spec.InterfaceName = interfaceName;
        return hep;
    }

    private static bool NeedsUpdate(HostEndpoint current, HostEndpoint expected) =>
        !SameMap(current.Metadata.Labels, expected.Metadata.Labels)
        || !SameMap(current.Metadata.Annotations, expected.Metadata.Annotations)
        || !(current.Spec.ExpectedIPs ?? []).SequenceEqual(expected.Spec.ExpectedIPs ?? [])
        || (current.Spec.InterfaceName ?? "") != (expected.Spec.InterfaceName ?? "")
        || current.Spec.Node != expected.Spec.Node;

    private static bool SameMap(Dictionary<string, string>? a, Dictionary<string, string>? b)
    {
        a ??= [];
        b ??= [];
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static string? HostPart(string? cidr) => cidr?.Split('/')[0];

    private static List<string> MatchingCidrs(List<string> ips, List<string>? cidrs)
    {
        // As upstream: a template without interfaceCIDRs matches no address (only interfacePattern can then bind it).
        if (cidrs is null || cidrs.Count == 0)
        {
            return [];
        }

        var nets = cidrs.Select(c => Cidr.TryParse(c, out var n) ? n : (IPNetwork?)null).OfType<IPNetwork>().ToList();
        return ips.Where(ip => IPAddress.TryParse(ip.Split('/')[0], out var a) && nets.Any(n => n.Contains(a))).ToList();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Created host endpoint {Name} for node {Node}")]
        public static partial void Created(ILogger logger, string name, string node);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Deleted host endpoint {Name} (its node is gone or it is no longer configured)")]
        public static partial void Deleted(ILogger logger, string name);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Could not write host endpoint {Name}: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string name, string reason);
    }
}
