using Calico.Felix.Config;
using Calico.Felix.Rules;

namespace Calico.Node.Startup;

/// <summary>Failsafe ports from Felix's configuration into the renderer's terms.</summary>
internal static class RenderConfigExtras
{
    public static RenderConfig WithFailsafes(RenderConfig render, FelixConfig config) => render with
    {
        FailsafeInboundHostPorts = config.FailsafeInboundHostPorts.Select(p => new HostPort(p.Protocol, p.Port, p.Net)).ToArray(),
        FailsafeOutboundHostPorts = config.FailsafeOutboundHostPorts.Select(p => new HostPort(p.Protocol, p.Port, p.Net)).ToArray(),
    };
}
