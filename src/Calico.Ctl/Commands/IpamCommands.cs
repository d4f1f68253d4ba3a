using System.CommandLine;
using Calico.Api;
using Calico.Datastore;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl ipam show|check|release|configure</c> over <see cref="IpamClient"/>, printing upstream's formats.</summary>
internal static class IpamCommands
{
    public static Command Build(CtlContext context)
    {
        var ipam = new Command("ipam", "IP address management.");
        ipam.Subcommands.Add(Show(context));
        ipam.Subcommands.Add(Check(context));
        ipam.Subcommands.Add(Release(context));
        ipam.Subcommands.Add(Configure(context));
        return ipam;
    }

    private static Command Show(CtlContext context)
    {
        var command = new Command("show", "Show details of a Calico configuration, assigned IP address, or of overall IP usage.");
        var ip = new Option<string?>("--ip") { Description = "Report whether this specific IP address is in use." };
        var showBlocks = new Option<bool>("--show-blocks") { Description = "Show detailed information for IP blocks as well as pools." };
        var showConfig = new Option<bool>("--show-configuration") { Description = "Show current Calico IPAM configuration." };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(ip);
        command.Options.Add(showBlocks);
        command.Options.Add(showConfig);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new IpamRunner(context, p.GetValue(config)).ShowAsync(
            p.GetValue(ip), p.GetValue(showBlocks), p.GetValue(showConfig), ct)).ConfigureAwait(false));
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
        var command = new Command("release", "Release a Calico assigned IP address.");
        var ip = new Option<string>("--ip") { Description = "IP address to release.", Required = true };
        var config = CommandGuard.ConfigOption();
        command.Options.Add(ip);
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new IpamRunner(context, p.GetValue(config)).ReleaseAsync(p.GetValue(ip)!, ct)).ConfigureAwait(false));
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
