using System.CommandLine;
using Calico.Api;
using Calico.Datastore;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl ipam show|check|release|split|configure</c> over <see cref="IpamClient"/>, printing upstream's formats.</summary>
internal static class IpamCommands
{
    public static Command Build(CtlContext context)
    {
        var ipam = new Command("ipam", "IP address management.");
        ipam.Subcommands.Add(Show(context));
        ipam.Subcommands.Add(Check(context));
        ipam.Subcommands.Add(Release(context));
        ipam.Subcommands.Add(Split(context));
        ipam.Subcommands.Add(Configure(context));
        return ipam;
    }

    private static Command Show(CtlContext context)
    {
        var command = new Command("show", "Show details of a Calico configuration, assigned IP address, or of overall IP usage.");
        var ip = new Option<string?>("--ip") { Description = "Report whether this specific IP address is in use." };
        var showBlocks = new Option<bool>("--show-blocks") { Description = "Show detailed information for IP blocks as well as pools." };
        var showBorrowed = new Option<bool>("--show-borrowed") { Description = "Show detailed information for borrowed IP addresses." };
        var showConfig = new Option<bool>("--show-configuration") { Description = "Show current Calico IPAM configuration." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(ip);
        command.Options.Add(showBlocks);
        command.Options.Add(showBorrowed);
        command.Options.Add(showConfig);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => p.GetValue(showBorrowed) && p.GetValue(ip) is null && !p.GetValue(showBlocks)
            ? new IpamRunner(context, p.GetValue(config)).ShowBorrowedAsync(ct)
            : new IpamRunner(context, p.GetValue(config)).ShowAsync(p.GetValue(ip), p.GetValue(showBlocks), p.GetValue(showConfig), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Check(CtlContext context)
    {
        var command = new Command("check", "Check the integrity of the IPAM datastructures.");
        var output = new Option<string?>("--output", "-o") { Description = "Path to output report file." };
        var showAll = new Option<bool>("--show-all-ips") { Description = "Print all IPs that are checked." };
        var showProblems = new Option<bool>("--show-problem-ips") { Description = "Print all IPs that are leaked or not allocated properly." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(output);
        command.Options.Add(showAll);
        command.Options.Add(showProblems);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new IpamRunner(context, p.GetValue(config)).CheckAsync(
            p.GetValue(output), p.GetValue(showAll), p.GetValue(showProblems), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Release(CtlContext context)
    {
        var command = new Command("release", "Release a Calico assigned IP address, or the leaked addresses an ipam check report lists.");
        var ip = new Option<string?>("--ip") { Description = "IP address to release." };
        var fromReport = new Option<string[]>("--from-report") { Description = "Release all leaked addresses from the report (repeatable: only addresses leaked in every report).", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var force = new Option<bool>("--force") { Description = "Force release of leaked addresses (datastore not locked, report from another calicoctl version)." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(ip);
        command.Options.Add(fromReport);
        command.Options.Add(force);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () =>
        {
            var reports = p.GetValue(fromReport) ?? [];
            var runner = new IpamRunner(context, p.GetValue(config));
            if (reports.Length > 0)
            {
                return p.GetValue(ip) is not null
                    ? throw new CtlException("Invalid option: --ip and --from-report cannot be used together")
                    : runner.ReleaseFromReportsAsync(reports, p.GetValue(force), ct);
            }

            if (p.GetValue(force))
            {
                throw new CtlException("Invalid option: --force applies only to --from-report");
            }

            return p.GetValue(ip) is { } address
                ? runner.ReleaseAsync(address, ct)
                : throw new CtlException("Invalid option: one of --ip or --from-report is required");
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Split(CtlContext context)
    {
        var command = new Command("split", "Split an IP pool into the specified number of smaller IP pools (the datastore must be locked).");
        var number = new Argument<string>("NUMBER") { Description = "How many pools to split into: a power of two." };
        var cidr = new Option<string?>("--cidr") { Description = "CIDR of the IP pool to split." };
        var name = new Option<string?>("--name") { Description = "Name of the IP pool to split." };
        var config = CommandGuard.ConfigOption();
        command.Arguments.Add(number);
        command.Options.Add(cidr);
        command.Options.Add(name);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new IpamRunner(context, p.GetValue(config)).SplitAsync(
            p.GetValue(cidr), p.GetValue(name), p.GetValue(number)!, ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Configure(CtlContext context)
    {
        var command = new Command("configure", "Configure IPAM.");
        var strict = new Option<string?>("--strictaffinity") { Description = "Set StrictAffinity to true/false." };
        var maxBlocks = new Option<string?>("--max-blocks-per-host") { Description = "Set the maximum number of blocks that can be affine to each host." };
        var cooldown = new Option<string?>("--ip-cooldown-seconds") { Description = "Seconds a released IP stays unassignable." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(strict);
        command.Options.Add(maxBlocks);
        command.Options.Add(cooldown);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new IpamRunner(context, p.GetValue(config)).ConfigureAsync(
            p.GetValue(strict), p.GetValue(maxBlocks), p.GetValue(cooldown), ct)).ConfigureAwait(false));
        return command;
    }
}
