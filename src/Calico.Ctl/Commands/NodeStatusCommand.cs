using System.CommandLine;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl node status</c> (the <c>node</c> group holds only <c>status</c> so far).</summary>
internal static class NodeStatusCommand
{
    public static Command Build(CtlContext context)
    {
        var node = new Command("node", "Calico node management.");
        var status = new Command("status", "View the current status of a Calico node (Calico process and BGP sessions).");
        status.SetAction(async (_, ct) =>
            await CommandGuard.RunAsync(context, () => new NodeStatusRunner(context, NodeStatusProbe.FromProc()).RunAsync(ct)).ConfigureAwait(false));
        node.Subcommands.Add(status);
        return node;
    }
}
