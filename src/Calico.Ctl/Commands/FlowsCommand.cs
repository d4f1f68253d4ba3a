using System.CommandLine;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl flows</c> (ours: upstream has Whisker and goldmane's API, no CLI): recent flows from the aggregator.</summary>
internal static class FlowsCommand
{
    public static Command Build(CtlContext context)
    {
        var command = new Command("flows", "List recent flows from the flow aggregator (goldmane) with the policies that decided them.");
        var server = new Option<string?>("--server")
        {
            Description = $"The aggregator's gRPC address, host:port (default: ${FlowsOptions.ServerEnvironment}, else {FlowsOptions.DefaultServer}).",
        };
        var action = new Option<string?>("--action") { Description = "Only flows with this action: Allow, Deny or Pass." };
        var since = new Option<string?>("--since") { Description = "Only flows seen in this last duration, e.g. 30s, 1m, 2h (default: all the aggregator holds)." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Only flows with an end (source or destination) in this namespace." };
        var name = new Option<string?>("--name") { Description = "Only flows with an end (source or destination) of this name." };
        var policy = new Option<string?>("--policy") { Description = "Only flows whose enforced or pending trace has this policy: [namespace/]name." };
        var port = new Option<string?>("--port") { Description = "Only flows to this destination port." };
        var output = new Option<string?>("--output", "-o") { Description = "Output format: table (default), wide (counters and both traces), yaml or json." };
        foreach (var option in new Option[] { server, action, since, ns, name, policy, port, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () =>
        {
            var options = FlowsOptions.Parse(p.GetValue(server), context.Environment, p.GetValue(action), p.GetValue(since),
                p.GetValue(ns), p.GetValue(name), p.GetValue(policy), p.GetValue(port), p.GetValue(output));
            return new FlowsRunner(context).RunAsync(options, ct);
        }).ConfigureAwait(false));
        return command;
    }
}
