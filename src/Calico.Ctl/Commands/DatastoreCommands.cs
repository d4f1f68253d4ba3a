using System.CommandLine;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl datastore migrate export|import|lock|unlock</c>, upstream's commands and flags; here they move data
/// between this project's two datastores (embedded and etcd v3, either way) instead of etcd to Kubernetes.
/// </summary>
internal static class DatastoreCommands
{
    public static Command Build(CtlContext context)
    {
        var datastore = new Command("datastore", "Calico datastore management.");
        var migrate = new Command("migrate", "Migrate the contents of one datastore to another (embedded and etcdv3, either way): " +
            "lock the source, export it, import the file into the target, point the nodes at the target, unlock it.");
        migrate.Subcommands.Add(Export(context));
        migrate.Subcommands.Add(Import(context));
        migrate.Subcommands.Add(Lock(context, locked: true));
        migrate.Subcommands.Add(Lock(context, locked: false));
        datastore.Subcommands.Add(migrate);
        return datastore;
    }

    private static Command Export(CtlContext context)
    {
        var command = new Command("export", "Export the contents of the (locked) datastore to stdout: YAML resources, then ClusterInformation and IPAM as JSON.");
        var config = CommandGuard.ConfigOption();
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new DatastoreMigrateRunner(context, p.GetValue(config)).ExportAsync(ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Import(CtlContext context)
    {
        var command = new Command("import", "Import a file written by `datastore migrate export` into the datastore; it is left locked until `datastore migrate unlock`.");
        var config = CommandGuard.ConfigOption();
        var filename = new Option<string?>("--filename", "-f") { Description = "Filename to use to import resources (- for stdin)." };
        var allowNonEmpty = new Option<bool>(DatastoreMigrateRunner.AllowNonEmptyFlag)
        {
            Description = "Import into a datastore that already holds Calico resources or IPAM data (imported objects overwrite existing ones of the same name).",
        };
        command.Options.Add(config);
        command.Options.Add(filename);
        command.Options.Add(allowNonEmpty);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new DatastoreMigrateRunner(context, p.GetValue(config))
            .ImportAsync(p.GetValue(filename), p.GetValue(allowNonEmpty), ct)).ConfigureAwait(false));
        return command;
    }

    private static Command Lock(CtlContext context, bool locked)
    {
        var command = new Command(locked ? "lock" : "unlock", locked
            ? "Lock the datastore (ClusterInformation datastoreReady: false): calico-node and the CNI plugin stop changing it until unlock."
            : "Unlock the datastore (ClusterInformation datastoreReady: true) once a migration is complete.");
        var config = CommandGuard.ConfigOption();
        command.Options.Add(config);
        command.SetAction(async (p, ct) => await CommandGuard.RunAsync(context, () => new DatastoreMigrateRunner(context, p.GetValue(config)).SetLockedAsync(locked, ct)).ConfigureAwait(false));
        return command;
    }
}
