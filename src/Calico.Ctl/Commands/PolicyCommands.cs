using System.CommandLine;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl policy explain</c> and <c>calicoctl policy simulate</c>: answers computed by the calculation graph
/// and the dataplane evaluator over everything in the datastore, never by a separate policy interpreter.
/// </summary>
internal static class PolicyCommands
{
    public static Command Build(CtlContext context)
    {
        var policy = new Command("policy", "Explain and simulate the effect of network policy on flows between workloads.");
        policy.Subcommands.Add(Explain(context));
        policy.Subcommands.Add(Simulate(context));
        return policy;
    }

    private static Command Explain(CtlContext context)
    {
        var command = new Command("explain", "Explain whether a flow is allowed, and which tier, policy and rule decide it on each side.");
        var from = new Option<string>("--from") { Description = "Source: a workload <namespace>/<pod> or an IP address.", Required = true };
        var to = new Option<string>("--to") { Description = "Destination: a workload <namespace>/<pod> or an IP address.", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "TCP, UDP, SCTP, UDPLite, ICMP, ICMPv6 or a protocol number.", DefaultValueFactory = _ => "TCP" };
        var port = new Option<string?>("--port") { Description = "Destination port (required for TCP, UDP, SCTP and UDPLite)." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(protocol);
        command.Options.Add(port);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new PolicyExplainRunner(context).RunAsync(
            p.GetValue(from)!, p.GetValue(to)!, p.GetValue(protocol) ?? "TCP", p.GetValue(port), p.GetValue(config), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Simulate(CtlContext context)
    {
        var command = new Command("simulate", "Show how proposed resources would change reachability between existing workloads, writing nothing.");
        var file = new Option<string>("--filename", "-f") { Description = "The proposed resources: a file, or - for stdin.", Required = true };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(file);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new PolicySimulateRunner(context).RunAsync(
            p.GetValue(file)!, p.GetValue(config), ct)).ConfigureAwait(false));
        return command;
    }
}
