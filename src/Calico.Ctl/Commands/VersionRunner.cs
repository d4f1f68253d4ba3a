using Calico.Api;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl version</c>: the client's version, and the cluster's from ClusterInformation.</summary>
internal sealed class VersionRunner(CtlContext context)
{
    public async Task<int> RunAsync(bool clientOnly, string? configPath, CancellationToken cancellationToken)
    {
        context.Out.WriteLine($"Client Version:    {VersionInfo.Version}");
        context.Out.WriteLine($"Git commit:        {GitCommit()}");
        if (clientOnly)
        {
            return 0;
        }

        try
        {
            var client = context.OpenClient(configPath);
            var info = await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                context.Out.WriteLine("Unable to detect installed Calico version");
                return 0;
            }

            var node = ResourceCodec.ToJsonNode(info);
            context.Out.WriteLine($"Cluster Version:   {node["spec"]?["calicoVersion"]?.GetValue<string>() ?? ""}");
            context.Out.WriteLine($"Cluster Type:      {node["spec"]?["clusterType"]?.GetValue<string>() ?? ""}");
        }
        catch (DatastoreUnavailableException e)
        {
            context.Out.WriteLine("Unable to detect installed Calico version: " + e.Message);
        }

        return 0;
    }

    private static string GitCommit() =>
        typeof(VersionRunner).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute a] && a.InformationalVersion.Contains('+', StringComparison.Ordinal)
            ? a.InformationalVersion[(a.InformationalVersion.IndexOf('+', StringComparison.Ordinal) + 1)..]
            : "unknown";
}
