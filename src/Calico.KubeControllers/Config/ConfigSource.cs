using System.Text.Json;
using Calico.Api;
using Calico.Client;

namespace Calico.KubeControllers.Config;

/// <summary>
/// KubeControllersConfiguration <c>default</c> in the datastore: created with upstream's defaults when missing (as
/// upstream's <c>getOrCreateSnapshot</c>), and its <c>status</c> written back with what runs.
/// </summary>
internal sealed class ConfigSource(ResourceClient client)
{
    /// <summary>The resource, created first when absent (a concurrent creator wins; its resource is then read).</summary>
    /// <exception cref="CorruptResourceException">The stored resource cannot be decoded; the message names the key and the reason.</exception>
    public async Task<KubeControllersConfiguration> GetOrCreateAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (await client.GetAsync(ResourceKinds.KubeControllersConfiguration, null, KubeControllersDefaults.Name, cancellationToken).ConfigureAwait(false)
                is KubeControllersConfiguration existing)
            {
                return existing;
            }

            var created = await client.CreateAsync(KubeControllersDefaults.Create(), cancellationToken).ConfigureAwait(false);
            if (created.Succeeded)
            {
                return (KubeControllersConfiguration)created.Resource!;
            }

            if (created.Status != OperationStatus.AlreadyExists || attempt >= 5)
            {
                throw new InvalidOperationException("cannot create KubeControllersConfiguration default: " + created.Message);
            }
        }
    }

    /// <summary>Writes <paramref name="status"/> when it differs from what is stored; false when the write lost a race (retried next time).</summary>
    public async Task<bool> WriteStatusAsync(KubeControllersConfiguration current, KubeControllersConfigurationStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(status);
        if (SameStatus(current.Status, status))
        {
            return true;
        }

        current.Status = status;
        var result = await client.UpdateAsync(current, cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    private static bool SameStatus(KubeControllersConfigurationStatus a, KubeControllersConfigurationStatus b)
    {
        string Text(KubeControllersConfigurationStatus s) =>
            JsonSerializer.Serialize(s.RunningConfig ?? new KubeControllersConfigurationSpec(), ControllersJsonContext.Default.KubeControllersConfigurationSpec)
            + string.Join(',', (s.EnvironmentVars ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        return Text(a) == Text(b);
    }
}
