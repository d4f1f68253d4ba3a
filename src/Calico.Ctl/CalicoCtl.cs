using System.CommandLine;
using Calico.Api;
using Calico.Ctl.Commands;
using Calico.Datastore;

namespace Calico.Ctl;

/// <summary>
/// calicoctl's command line, upstream's commands and flags. <see cref="RunAsync"/> is the whole program, so
/// tests run exactly what the binary runs, in-process.
/// </summary>
internal static class CalicoCtl
{
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        await using var context = new CtlContext(stdin, stdout, stderr, environment, timeProvider);
        var root = BuildCommandTree(context);
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
    }

    private static RootCommand BuildCommandTree(CtlContext context)
    {
        var root = new RootCommand("calicoctl: manage Calico resources (projectcalico.org/v3) in the datastore.");
        root.Options.Add(new Option<string>("--log-level", "-l") { Description = "Set the log level (one of panic, fatal, error, warn, info, debug).", DefaultValueFactory = _ => "panic", Recursive = true });
        root.Options.Add(new Option<string?>("--context") { Description = "The name of the kubeconfig context to use (unused: this Calico has no Kubernetes datastore).", Recursive = true });
        root.Options.Add(new Option<bool>("--allow-version-mismatch") { Description = "Allow client and cluster versions mismatch.", Recursive = true });

        root.Subcommands.Add(Modify(context, "create", "Create a resource by file, directory or stdin.", skipExists: true));
        root.Subcommands.Add(Modify(context, "apply", "Apply a resource by file, directory or stdin: create it, or update it if it exists.", skipExists: false));
        root.Subcommands.Add(Modify(context, "replace", "Replace a resource by file, directory or stdin.", skipExists: false));
        root.Subcommands.Add(Modify(context, "validate", "Validate resources by file, directory or stdin without writing them.", skipExists: false));
        root.Subcommands.Add(Delete(context));
        root.Subcommands.Add(Get(context));
        root.Subcommands.Add(Patch(context));
        root.Subcommands.Add(Label(context));
        root.Subcommands.Add(Version(context));
        root.Subcommands.Add(PolicyCommands.Build(context));
        root.Subcommands.Add(IpamCommands.Build(context));
        root.Subcommands.Add(NodeStatusCommand.Build(context));
        root.Subcommands.Add(FlowsCommand.Build(context));
        root.Subcommands.Add(DatastoreCommands.Build(context));
        return root;
    }

    private sealed record CrudFlags(
        Option<string?> Filename, Option<bool> Recursive, Option<bool> SkipEmpty, Option<string> Config, Option<string?> Namespace);

    private static CrudFlags AddCrudFlags(Command command, bool withFile = true)
    {
        var flags = new CrudFlags(
            new Option<string?>("--filename", "-f") { Description = "Filename to use: a file, a directory, or - for stdin." },
            new Option<bool>("--recursive", "-R") { Description = "Process the filename directory recursively." },
            new Option<bool>("--skip-empty") { Description = "Do not error if any files or directory specified using filename contain no resources." },
            new Option<string>("--config", "-c") { Description = "Path to the file containing connection configuration in YAML or JSON format.", DefaultValueFactory = _ => Calico.Client.CalicoApiConfig.DefaultConfigPath },
            new Option<string?>("--namespace", "-n") { Description = "Namespace of the resource. Only applicable to namespaced resources." });
        if (withFile)
        {
            command.Options.Add(flags.Filename);
            command.Options.Add(flags.Recursive);
            command.Options.Add(flags.SkipEmpty);
        }

        command.Options.Add(flags.Config);
        command.Options.Add(flags.Namespace);
        return flags;
    }

    private static CrudOptions Read(ParseResult p, CrudFlags f) => new()
    {
        Filename = p.GetValue(f.Filename),
        Recursive = p.GetValue(f.Recursive),
        SkipEmpty = p.GetValue(f.SkipEmpty),
        ConfigPath = p.GetValue(f.Config),
        Namespace = p.GetValue(f.Namespace),
    };

    private static Command Modify(CtlContext context, string action, string description, bool skipExists)
    {
        var command = new Command(action, description);
        var flags = AddCrudFlags(command);
        var skip = new Option<bool>("--skip-exists") { Description = "Skip over and treat as successful any attempts to create an entry that already exists." };
        if (skipExists)
        {
            command.Options.Add(skip);
        }

        command.SetAction(async (p, ct) =>
        {
            var options = Read(p, flags) with { SkipExists = skipExists && p.GetValue(skip) };
            if (options.Filename is null)
            {
                throw new CtlException($"calicoctl {action}: required flag -f/--filename is missing (a file, a directory, or - for stdin)");
            }

            return await CommandGuard.RunAsync(context, () => new CrudRunner(context).ModifyAsync(action, options, ct)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Delete(CtlContext context)
    {
        var command = new Command("delete", "Delete a resource by file, directory, stdin, or kind and name.");
        var flags = AddCrudFlags(command);
        var skip = new Option<bool>("--skip-not-exists", "-s") { Description = "Skip over and treat as successful any attempts to delete an entry that does not exist." };
        var args = new Argument<string[]>("KIND NAME") { Arity = ArgumentArity.ZeroOrMore, Description = "The kind and name(s) of the resources to delete." };
        command.Options.Add(skip);
        command.Arguments.Add(args);
        command.SetAction(async (p, ct) =>
        {
            var options = Read(p, flags) with { SkipNotExists = p.GetValue(skip), Arguments = p.GetValue(args) ?? [] };
            return await CommandGuard.RunAsync(context, () => new CrudRunner(context).ModifyAsync("delete", options, ct)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Get(CtlContext context)
    {
        var command = new Command("get", "Get a resource by file, directory, stdin, or kind and name.");
        var flags = AddCrudFlags(command);
        var output = new Option<string>("--output", "-o") { Description = "Output format: yaml, json, ps, wide, custom-columns=...", DefaultValueFactory = _ => "ps" };
        var all = new Option<bool>("--all-namespaces", "-A", "-a") { Description = "List the requested object(s) across all namespaces." };
        var export = new Option<bool>("--export") { Description = "Strip cluster-specific information (resourceVersion, uid, creationTimestamp) from the output." };
        var args = new Argument<string[]>("KIND NAME") { Arity = ArgumentArity.ZeroOrMore, Description = "The kind and optional name(s) of the resources to get." };
        command.Options.Add(output);
        command.Options.Add(all);
        command.Options.Add(export);
        command.Arguments.Add(args);
        command.SetAction(async (p, ct) =>
        {
            var options = Read(p, flags) with
            {
                Output = p.GetValue(output) ?? "ps",
                AllNamespaces = p.GetValue(all),
                Export = p.GetValue(export),
                Arguments = p.GetValue(args) ?? [],
            };
            return await CommandGuard.RunAsync(context, () => new CrudRunner(context).GetAsync(options, ct)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Patch(CtlContext context)
    {
        var command = new Command("patch", "Patch a pre-existing resource in place.");
        var flags = AddCrudFlags(command, withFile: false);
        var patch = new Option<string>("--patch", "-p") { Description = "Spec to use to patch the resource.", Required = true };
        var type = new Option<string>("--type", "-t") { Description = "Format of patch type: strategic, json, or merge.", DefaultValueFactory = _ => "strategic" };
        var kind = new Argument<string>("KIND");
        var name = new Argument<string>("NAME");
        command.Options.Add(patch);
        command.Options.Add(type);
        command.Arguments.Add(kind);
        command.Arguments.Add(name);
        command.SetAction(async (p, ct) =>
            await CommandGuard.RunAsync(context, () => new PatchLabelRunner(context).PatchAsync(p.GetValue(kind)!, p.GetValue(name)!, p.GetValue(patch)!, p.GetValue(type) ?? "strategic", Read(p, flags), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Label(CtlContext context)
    {
        var command = new Command("label", "Add or update labels of resources.");
        var flags = AddCrudFlags(command, withFile: false);
        var overwrite = new Option<bool>("--overwrite") { Description = "Overwrite the value when the label key already exists." };
        var remove = new Option<bool>("--remove") { Description = "Remove the specified label." };
        var kind = new Argument<string>("KIND");
        var name = new Argument<string>("NAME");
        var label = new Argument<string>("LABEL") { Description = "key=value to set, or key with --remove." };
        command.Options.Add(overwrite);
        command.Options.Add(remove);
        command.Arguments.Add(kind);
        command.Arguments.Add(name);
        command.Arguments.Add(label);
        command.SetAction(async (p, ct) =>
            await CommandGuard.RunAsync(context, () => new PatchLabelRunner(context).LabelAsync(p.GetValue(kind)!, p.GetValue(name)!, p.GetValue(label)!, p.GetValue(overwrite), p.GetValue(remove), Read(p, flags), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Version(CtlContext context)
    {
        var command = new Command("version", "Display the version of this binary and of the cluster.");
        var clientOnly = new Option<bool>("--client") { Description = "Display only the client version." };
        var config = new Option<string>("--config", "-c") { DefaultValueFactory = _ => Calico.Client.CalicoApiConfig.DefaultConfigPath };
        command.Options.Add(clientOnly);
        command.Options.Add(config);
        command.SetAction(async (p, ct) =>
            await CommandGuard.RunAsync(context, () => new VersionRunner(context).RunAsync(p.GetValue(clientOnly), p.GetValue(config), ct)).ConfigureAwait(false));
        return command;
    }
}
