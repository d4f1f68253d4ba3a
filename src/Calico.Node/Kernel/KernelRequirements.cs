using Calico.Api;
using Calico.Felix.Config;
using Calico.Linux.Kernel;

namespace Calico.Node.Kernel;

/// <summary>Pure: which kernel features the configuration asks for, each with the setting that asks.</summary>
internal static class KernelRequirements
{
    /// <summary>Enabled pools with an encapsulation mode other than Never ask for that tunnel.</summary>
    public static List<KernelRequest> ForPools(IEnumerable<IPPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var requests = new List<KernelRequest>();
        foreach (IPPool pool in pools)
        {
            if (pool.Spec.Disabled == true)
            {
                continue;
            }

            if (pool.Spec.IpipMode is "Always" or "CrossSubnet")
            {
                requests.Add(new KernelRequest($"IPPool {pool.Metadata.Name} ipipMode={pool.Spec.IpipMode}", KernelFeatures.Ipip));
            }

            if (pool.Spec.VxlanMode is "Always" or "CrossSubnet")
            {
                // An IPv6 pool's tunnel (vxlan-v6.calico) needs VXLAN over IPv6.
                bool v6 = pool.Spec.Cidr?.Contains(':', StringComparison.Ordinal) == true;
                requests.Add(new KernelRequest($"IPPool {pool.Metadata.Name} vxlanMode={pool.Spec.VxlanMode}", v6 ? KernelFeatures.Vxlan6 : KernelFeatures.Vxlan));
            }
        }

        return requests;
    }

    /// <summary>The effective Felix configuration (FelixConfiguration resources, environment, config file).</summary>
    public static List<KernelRequest> ForFelix(FelixConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var requests = new List<KernelRequest>();
        if (config.WireguardEnabled)
        {
            requests.Add(new KernelRequest("FelixConfiguration wireguardEnabled=true", KernelFeatures.Wireguard));
        }

        if (config.WireguardEnabledV6)
        {
            requests.Add(new KernelRequest("FelixConfiguration wireguardEnabledV6=true", KernelFeatures.Wireguard));
        }

        if (config.BpfEnabled)
        {
            requests.Add(new KernelRequest("FelixConfiguration bpfEnabled=true", KernelFeatures.Ebpf));
        }

        return requests;
    }

    /// <summary>The requests this kernel cannot serve, each as one sentence naming the setting and the missing support.</summary>
    public static List<(KernelRequest Request, string Message)> Missing(IEnumerable<KernelRequest> requests, KernelCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(capabilities);
        var missing = new List<(KernelRequest, string)>();
        foreach (KernelRequest request in requests)
        {
            KernelFeatureResult result = capabilities[request.Feature];
            if (!result.Present)
            {
                missing.Add((request, $"{request.Setting} needs {result.Feature.Description} ({result.Feature.Name}), which this kernel lacks: {result.Reason}"));
            }
        }

        return missing;
    }
}
