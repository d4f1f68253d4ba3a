using Calico.Felix.Agent;
using Calico.Felix.Config;
using Calico.Felix.Rules;

namespace Calico.Node.Startup;

/// <summary>Felix's effective configuration for this node, recomputed whenever its inputs change.</summary>
internal sealed class FelixSettings(NodeSettings node, string? configFileText)
{
    private readonly List<KeyValuePair<string, string>> _environment = BuildEnvironment(node);

    public FelixConfigLoadResult Load(AgentInputs inputs) =>
        FelixConfigLoader.Load(_environment, configFileText, inputs.GlobalConfig, inputs.NodeConfig, inputs.SelectorScopedConfigs, inputs.NodeLabels);

    /// <summary>The render-relevant part of a configuration.</summary>
    public static RenderConfig ToRenderConfig(FelixConfig config)
    {
        var render = new RenderConfig
        {
            InterfacePrefix = config.InterfacePrefix.Count > 0 ? config.InterfacePrefix[0] : "cali",
            DefaultEndpointToHostAction = config.DefaultEndpointToHostAction switch
            {
                Felix.Config.EndpointToHostAction.Accept => Felix.Rules.EndpointToHostAction.Accept,
                Felix.Config.EndpointToHostAction.Return => Felix.Rules.EndpointToHostAction.Return,
                _ => Felix.Rules.EndpointToHostAction.Drop,
            },
            LogPrefix = config.LogPrefix.Length > 0 ? config.LogPrefix : "calico-packet",
            AllowWorkloadSourceSpoofing = config.WorkloadSourceSpoofing == WorkloadSourceSpoofing.Any,
            NatOutgoing = NatOutgoingSettings.From(config),
            FloatingIps = config.FloatingIps == Felix.Config.FloatingIps.Enabled,
            FlowLogs = config.FlowLogsEnabled,
            IpipEnabled = config.IpipEnabled,
            VxlanEnabled = config.VxlanEnabled,
            VxlanPort = config.VxlanPort,
            ExternalNodesCidrs = config.ExternalNodesCidrList.Count == 0 ? [] : config.ExternalNodesCidrList,
            WorkloadPolicyInBpf = config.BpfEnabled,
            BpfDataInterfacePattern = config.BpfDataIfacePattern?.ToString() ?? RenderConfig.DefaultBpfDataInterfacePattern,
        };
        return RenderConfigExtras.WithFailsafes(render, config);
    }

    /// <summary>What MTU detection reads: mtuIfacePattern, vxlanMTU, vxlanMTUV6, ipipMTU, requireMTUFile, interfacePrefix.</summary>
    public static Routing.MtuSettings ToMtuSettings(FelixConfig config) =>
        new(config.MtuIfacePattern, config.VxlanMtu, config.VxlanMtuV6, config.IpipMtu, config.RequireMtuFile, config.InterfacePrefix.Count > 0 ? config.InterfacePrefix : ["cali"]);

    private static List<KeyValuePair<string, string>> BuildEnvironment(NodeSettings node)
    {
        var env = node.Environment.Where(kv => kv.Key.StartsWith("FELIX_", StringComparison.OrdinalIgnoreCase)).ToList();
        // calico-node tells Felix its name as upstream's start-up script does (FELIX_FELIXHOSTNAME=NODENAME).
        if (!env.Any(kv => kv.Key.Equals("FELIX_FELIXHOSTNAME", StringComparison.OrdinalIgnoreCase)))
        {
            env.Add(new("FELIX_FELIXHOSTNAME", node.NodeName));
        }

        // calico-node's manifest turns health on; Felix's own default is off.
        if (!env.Any(kv => kv.Key.Equals("FELIX_HEALTHENABLED", StringComparison.OrdinalIgnoreCase)))
        {
            env.Add(new("FELIX_HEALTHENABLED", "true"));
        }

        return env;
    }
}
