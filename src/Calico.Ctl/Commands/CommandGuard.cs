using System.CommandLine;
using Calico.Api;
using Calico.Datastore;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary>What every calicoctl command shares: the --config option and turning expected failures into exit 1.</summary>
internal static class CommandGuard
{
    public static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = "Path to the file containing connection configuration in YAML or JSON format.",
        DefaultValueFactory = _ => Calico.Client.CalicoApiConfig.DefaultConfigPath,
    };

    /// <summary>Runs a command; every expected failure becomes its message on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(CtlContext context, Func<Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            context.Error.WriteLine(e.Message);
        }
        catch (ValidationException e)
        {
            context.Error.WriteLine(e.Message);
        }
        catch (ResourceDecodeException e)
        {
            context.Error.WriteLine("failed to execute command: " + e.Message);
        }
        catch (Calico.Client.CorruptResourceException e)
        {
            context.Error.WriteLine(CrudRunner.CorruptError(e));
        }
        catch (IpamException e)
        {
            context.Error.WriteLine("Error: " + e.Message);
        }
        catch (DatastoreUnavailableException e)
        {
            context.Error.WriteLine(e.Message);
        }
        catch (OperationCanceledException)
        {
            // The store turns its own timeouts into DatastoreUnavailableException; this is an outer cancellation.
            context.Error.WriteLine($"cancelled before {context.DatastoreDescription ?? "the datastore"} answered");
        }

        return 1;
    }
}
