using System.CommandLine;
using Calico.Linux.Kernel;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl node status</c> and <c>calicoctl node checksystem</c>.</summary>
internal static class NodeStatusCommand
{
    public static Command Build(CtlContext context)
    {
        var node = new Command("node", "Calico node management.");
        var status = new Command("status", "View the current status of a Calico node (Calico process and BGP sessions).");
        status.SetAction(async (_, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeStatusRunner(context, NodeStatusProbe.FromProc()).RunAsync(ct)).ConfigureAwait(false));
        node.Subcommands.Add(status);

        var kernelConfig = new Option<string?>("--kernel-config", "-f")
        {
            Description = "Override the Kernel config file location. Expected format is plain text (or gzip). Default search locations: " +
                "/proc/config.gz, /boot/config-kernelVersion, /usr/src/linux/.config, /usr/src/linux-kernelVersion/.config, " +
                "/usr/src/linux-headers-kernelVersion/.config, /lib/modules/kernelVersion/build/.config",
        };
        var checksystem = new Command("checksystem", "Check the compatibility of this compute host to run a Calico node instance.");
        checksystem.Options.Add(kernelConfig);
        checksystem.SetAction(async (result, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeCheckSystemRunner(context, NodeStatusProbe.FromProc().IsRoot, KernelProbe.ProbeAsync)
                .RunAsync(result.GetValue(kernelConfig), ct)).ConfigureAwait(false));
        node.Subcommands.Add(checksystem);
        return node;
    }
}
