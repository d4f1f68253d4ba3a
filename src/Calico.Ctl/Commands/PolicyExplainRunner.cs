using System.Globalization;
using System.Net;
using Calico.Reachability;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl policy explain</c>: loads every stored resource into a calculation graph (every endpoint local),
/// then evaluates one packet: egress at the source endpoint, ingress at the destination endpoint.
/// </summary>
internal sealed partial class PolicyExplainRunner(CtlContext context)
{
    public async Task<int> RunAsync(string from, string to, string protocolText, string? portText, string? configPath, CancellationToken cancellationToken)
    {
        if (!Packet.TryParseProtocol(protocolText, out var protocol))
        {
            throw new CtlException($"invalid protocol '{protocolText}': use TCP, UDP, SCTP, UDPLite, ICMP, ICMPv6 or a number 0-255");
        }

        var port = 0;
        if (Packet.HasPorts(protocol))
        {
            if (portText is null)
            {
                throw new CtlException($"--port is required for {Packet.ProtocolName(protocol).ToUpperInvariant()}");
            }

            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new CtlException($"invalid port '{portText}': must be a number 1-65535");
            }
        }
        else if (portText is not null)
        {
            throw new CtlException($"invalid port '{portText}': protocol {protocolText} has no ports");
        }

        var client = context.OpenClient(configPath);
        var resources = await client.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var workloads = new WorkloadDirectory(resources);
        var source = Resolve(workloads, from, "--from");
        var destination = Resolve(workloads, to, "--to");
        if (source.Address.AddressFamily != destination.Address.AddressFamily)
        {
            throw new CtlException($"--from {source.Address} and --to {destination.Address} are not of the same IP version");
        }

        var evaluator = new PolicyEvaluator(DataplaneLoader.Load(resources));
        var sourceKey = source.Key ?? evaluator.EndpointFor(source.Address);
        var destinationKey = destination.Key ?? evaluator.EndpointFor(destination.Address);
        var packet = new Packet(source.Address, destination.Address, protocol, Packet.HasPorts(protocol) ? Packet.ProbeSourcePort : 0, port);
        var verdict = evaluator.EvaluateFlow(packet, sourceKey, destinationKey);

        var output = context.Out;
        output.WriteLine($"Flow: {source.Name} -> {destination.Name}, {packet}");
        WriteSide(output, "Egress", "source", source, verdict.Egress);
        WriteSide(output, "Ingress", "destination", destination, verdict.Ingress);
        output.WriteLine(verdict.Allowed ? "ALLOWED" : "DENIED");
        WritePending(output, evaluator, packet, sourceKey, destinationKey, source, destination);
        return 0;
    }

    private static void WriteSide(TextWriter output, string direction, string role, MatrixEndpoint side, SideDecision? decision)
    {
        if (decision is null)
        {
            output.WriteLine($"{direction} at {role} {side.Name}: not a workload endpoint, not filtered");
            return;
        }

        output.WriteLine($"{direction} at {side.Name} (endpoint {decision.Endpoint}): {decision.Verdict.ToString().ToUpperInvariant()}");
        if (decision.PassedTiers.Count > 0)
        {
            output.WriteLine($"  passed: tier {string.Join(", tier ", decision.PassedTiers)}");
        }

        output.WriteLine($"  decided by: {decision.Reason}");
    }

    private static MatrixEndpoint Resolve(WorkloadDirectory workloads, string text, string flag)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            var owner = workloads.All.FirstOrDefault(w => w.Address.Equals(address));
            return owner is null ? new MatrixEndpoint(address.ToString(), null, address) : owner with { Name = owner.Name + " (" + address + ")" };
        }

        if (!text.Contains('/', StringComparison.Ordinal))
        {
            throw new CtlException($"invalid {flag} '{text}': expected <namespace>/<workload> or an IP address");
        }

        var found = workloads.Find(text) ?? throw new CtlException($"workload {text} not found: no WorkloadEndpoint in namespace {text[..text.IndexOf('/', StringComparison.Ordinal)]} with that pod, workload or name");
        return found with { Name = found.Name + " (" + found.Address + ")" };
    }
}
