using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Ctl.Input;
using Calico.Ctl.Output;

namespace Calico.Ctl.Commands;

/// <summary>create / apply / replace / validate / delete / get: resources from a file or the command line,
/// each through <see cref="ResourceActions"/>, reported with upstream's messages.</summary>
internal sealed class CrudRunner(CtlContext context)
{
    private static readonly Dictionary<string, string> s_pastTense = new(StringComparer.Ordinal)
    {
        ["create"] = "created",
        ["apply"] = "applied",
        ["validate"] = "validated",
        ["replace"] = "replaced",
        ["delete"] = "deleted",
    };

    public async Task<int> ModifyAsync(string action, CrudOptions options, CancellationToken cancellationToken)
    {
        var (resources, fromArgs) = LoadResources(action, options);
        if (resources.Count == 0)
        {
            context.Out.WriteLine("No resources specified");
            return 0;
        }

        var singleKind = fromArgs || resources.Select(r => r.Kind).Distinct(StringComparer.Ordinal).Count() == 1 ? resources[0].Kind : "";
        var client = action == "validate" ? null : context.OpenClient(options.ConfigPath);
        if (client is not null && action is "apply" or "create" or "replace")
        {
            await TryEnsureInitializedAsync(client, cancellationToken).ConfigureAwait(false);
        }

        var handled = 0;
        var errors = new List<string>();
        foreach (var resource in resources)
        {
            var warnings = new List<string>();
            var (result, error) = await ResourceActions.RunAsync(action, client!, resource, options, cancellationToken, warnings).ConfigureAwait(false);
            foreach (var warning in warnings)
            {
                context.Error.WriteLine(warning);
            }

            if (error is not null)
            {
                errors.Add(error);
                if (action == "replace")
                {
                    break; // upstream reports replace as "the first N out of M": it stops at the first failure
                }

                continue;
            }

            handled++;
            _ = result;
        }

        return Report(action, singleKind, resources.Count, handled, errors);
    }

    private int Report(string action, string singleKind, int total, int handled, List<string> errors)
    {
        var past = s_pastTense[action];
        var quotedKind = singleKind.Length > 0 ? $"'{singleKind}' " : "";
        if (action == "delete")
        {
            if (handled > 0)
            {
                context.Out.WriteLine($"Successfully deleted {handled} {quotedKind}resource(s)");
            }

            foreach (var e in errors)
            {
                context.Error.WriteLine(singleKind.Length > 0 ? $"Failed to delete '{singleKind}' resource: {e}" : $"Failed to delete resource: {e}");
            }

            return errors.Count == 0 ? 0 : 1;
        }

        if (handled == 0)
        {
            var message = total == 1
                ? $"failed to {action} '{singleKind}' resource: [{string.Join(" ", errors)}]"
                : singleKind.Length > 0
                    ? $"failed to {action} any '{singleKind}' resources: [{string.Join(" ", errors)}]"
                    : $"failed to {action} any resources: [{string.Join(" ", errors)}]";
            context.Error.WriteLine(message);
            return 1;
        }

        if (errors.Count == 0)
        {
            context.Out.WriteLine($"Successfully {past} {handled} {quotedKind}resource(s)");
            return 0;
        }

        context.Out.WriteLine(singleKind.Length > 0
            ? $"Partial success: {past} the first {handled} out of {total} '{singleKind}' resources:"
            : $"Partial success: {past} the first {handled} out of {total} resources:");
        context.Error.WriteLine($"hit error: [{string.Join(" ", errors)}]");
        return 1;
    }

    public async Task<int> GetAsync(CrudOptions options, CancellationToken cancellationToken)
    {
        var printNamespace = options.AllNamespaces || !string.IsNullOrEmpty(options.Namespace);
        var printer = ResourcePrinter.Create(options.Output, printNamespace);
        var client = context.OpenClient(options.ConfigPath);
        var printables = new List<Printable>();
        var errors = new List<string>();

        if (options.Filename is not null)
        {
            var resources = ResourceInput.Read(options.Filename, options.Recursive, options.SkipEmpty, context.In);
            foreach (var r in resources)
            {
                await GetOneAsync(client, r, ResourceKinds.Of(r), options, printables, errors, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            if (options.Arguments.Count == 0)
            {
                throw new CtlException("failed to get resources: no resource type specified: calicoctl get <KIND> [<NAME>...]");
            }

            var kind = ResolveKind(options.Arguments[0], "get");
            var names = options.Arguments.Skip(1).ToList();
            if (names.Any(n => n.Length == 0))
            {
                throw new CtlException("failed to get resources: resource name may not be empty");
            }

            if (names.Count == 0)
            {
                var probe = Stub(kind, "");
                if (ResourceActions.NamespaceError(probe, kind, options) is { } nsError)
                {
                    throw new CtlException("failed to get resources: " + nsError);
                }

                var ns = kind.Namespaced && !options.AllNamespaces ? probe.Metadata.Namespace : null;
                // One unreadable value must not hide the rest: print what can be read, name each corrupt key, exit 1.
                var list = await client.ListReadableAsync(kind, ns, cancellationToken).ConfigureAwait(false);
                var items = list.Items;
                var version = list.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                printables.Add(new ListPrintable(kind, options.Export ? [.. items.Select(Exported)] : items, options.Export ? null : version));
                errors.AddRange(list.Corrupt.Select(CorruptError));
            }
            else
            {
                foreach (var name in names)
                {
                    await GetOneAsync(client, Stub(kind, name), kind, options, printables, errors, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        context.Out.Write(printer.Print(printables));
        foreach (var e in errors)
        {
            context.Error.WriteLine(e);
        }

        return errors.Count == 0 ? 0 : 1;
    }

    private static async Task GetOneAsync(Calico.Client.ResourceClient client, Resource stub, ResourceKind kind, CrudOptions options, List<Printable> printables, List<string> errors, CancellationToken cancellationToken)
    {
        if (ResourceActions.NamespaceError(stub, kind, options) is { } nsError)
        {
            errors.Add(nsError);
            return;
        }

        if (kind.Namespaced && string.IsNullOrEmpty(stub.Metadata.Namespace))
        {
            errors.Add("cannot use --all-namespace flag for getting a single resource");
            return;
        }

        Resource? found;
        try
        {
            found = await client.GetAsync(kind, stub.Metadata.Namespace, stub.Metadata.Name ?? "", cancellationToken).ConfigureAwait(false);
        }
        catch (Calico.Client.CorruptResourceException e)
        {
            errors.Add(CorruptError(e));
            return;
        }

        if (found is null)
        {
            errors.Add($"resource does not exist: {Calico.Client.ResourceIdentity.Describe(kind, stub.Metadata.Namespace, stub.Metadata.Name ?? "")} with error: <nil>");
            return;
        }

        printables.Add(new SinglePrintable(options.Export ? Exported(found) : found));
    }

    /// <summary>What calicoctl prints for a stored value it cannot read: the key, so etcdctl is never needed to find it.</summary>
    internal static string CorruptError(Calico.Client.CorruptResourceException e) =>
        $"Error: {e.Message} (delete it with calicoctl delete, or overwrite it with calicoctl apply or replace)";

    /// <summary>
    /// <c>--export</c> strips what belongs to one cluster's copy of an object. Unlike upstream (only named gets),
    /// it strips listed objects too, so the FAQ's get-edit-replace flow round-trips cleanly.
    /// </summary>
    private static Resource Exported(Resource r)
    {
        var copy = ResourceCodec.Clone(r);
        copy.Metadata.ResourceVersion = null;
        copy.Metadata.Uid = null;
        copy.Metadata.CreationTimestamp = null;
        copy.Metadata.DeletionTimestamp = null;
        return copy;
    }

    private (IReadOnlyList<Resource> Resources, bool FromArgs) LoadResources(string action, CrudOptions options)
    {
        if (options.Filename is not null)
        {
            return (ResourceInput.Read(options.Filename, options.Recursive, options.SkipEmpty, context.In), false);
        }

        if (action != "delete" || options.Arguments.Count < 2)
        {
            throw new CtlException(action == "delete"
                ? "no resources specified: calicoctl delete (-f <FILE> | <KIND> <NAME>...)"
                : $"no resources specified: calicoctl {action} -f <FILE>");
        }

        var kind = ResolveKind(options.Arguments[0], action);
        var names = options.Arguments.Skip(1).ToList();
        if (names.Any(n => n.Length == 0))
        {
            throw new CtlException("resource name may not be empty");
        }

        return ([.. names.Select(n => Stub(kind, n))], true);
    }

    private static ResourceKind ResolveKind(string name, string action)
    {
        if (ResourceKinds.TryResolve(name, out var kind))
        {
            return kind;
        }

        var prefix = action == "get" ? "failed to get resources: " : "";
        throw new CtlException($"{prefix}resource type '{name}' is not supported");
    }

    /// <summary>An empty object of a kind with just its name, as upstream builds from command-line arguments.</summary>
    private static Resource Stub(ResourceKind kind, string name)
    {
        var metadata = new JsonObject();
        if (name.Length > 0)
        {
            metadata["name"] = name;
        }

        return ResourceCodec.FromJsonNode(new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = metadata,
        });
    }

    private static async Task TryEnsureInitializedAsync(Calico.Client.ResourceClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Calico.Datastore.DatastoreUnavailableException)
        {
            // Upstream does not fail the user's action here either: the action itself reports the store's state.
        }
    }
}
