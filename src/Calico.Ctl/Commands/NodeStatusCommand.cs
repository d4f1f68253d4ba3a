using System.CommandLine;
using Calico.Linux.Kernel;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl node status</c>, <c>calicoctl node diags</c> and <c>calicoctl node checksystem</c>.</summary>
internal static class NodeStatusCommand
{
    public static Command Build(CtlContext context)
    {
        var node = new Command("node", "Calico node management.");
        var status = new Command("status", "View the current status of a Calico node (Calico process and BGP sessions).");
        status.SetAction(async (_, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeStatusRunner(context, NodeStatusProbe.FromProc()).RunAsync(ct)).ConfigureAwait(false));
        node.Subcommands.Add(status);
        node.Subcommands.Add(Diags(context));

        var kernelConfig = new Option<string?>("--kernel-config", "-f")
        {
            Description = "Override the Kernel config file location. Expected format is plain text (or gzip). Default search locations: " +
                "/proc/config.gz, /boot/config-kernelVersion, /usr/src/linux/.config, /usr/src/linux-kernelVersion/.config, " +
                "/usr/src/linux-headers-kernelVersion/.config, /lib/modules/kernelVersion/build/.config",
        };
        var checksystem = new Command("checksystem", "Check the compatibility of this compute host to run a Calico node instance.");
        checksystem.Options.Add(kernelConfig);
        checksystem.SetAction(async (result, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeCheckSystemRunner(context, NodeStatusProbe.FromProc().IsRoot, KernelProbe.ProbeAsync, ct => Linux.Bpf.BpfSupport.ProbeAsync(cancellationToken: ct))
                .RunAsync(result.GetValue(kernelConfig), ct)).ConfigureAwait(false));
        node.Subcommands.Add(checksystem);
        return node;
    }

    private static Command Diags(CtlContext context)
    {
        var diags = new Command("diags", "Gather a diagnostics bundle for a Calico node: logs, nftables, routes, addresses, BIRD state, configuration, versions.");
        var logDir = new Option<string>("--log-dir") { Description = "The directory containing Calico logs.", DefaultValueFactory = _ => NodeDiagsRunner.DefaultLogDir };
        var stateDir = new Option<string>("--state-dir") { Description = "calico-node's state directory (BIRD's log and control socket; ours).", DefaultValueFactory = _ => NodeDiagsRunner.DefaultStateDir };
        var maxLogs = new Option<string?>("--max-logs") { Description = "Only collect up to this number of log files of each kind (default: all)." };
        var focusNodes = new Option<string?>("--focus-nodes") { Description = "Upstream's cluster diags option (Kubernetes): refused, node diags collects this host." };
        var config = CommandGuard.ConfigOption();
        diags.Options.Add(logDir);
        diags.Options.Add(stateDir);
        diags.Options.Add(maxLogs);
        diags.Options.Add(focusNodes);
        diags.Options.Add(config);
        diags.SetAction(async (result, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeDiagsRunner(context, NodeStatusProbe.FromProc().IsRoot).RunAsync(
                result.GetValue(logDir), result.GetValue(stateDir), result.GetValue(maxLogs), result.GetValue(focusNodes), result.GetValue(config)!, ct)).ConfigureAwait(false));
        return diags;
    }
}
