namespace Calico.Linux.Kernel;

/// <summary>What this kernel offers, one result per feature of <see cref="KernelFeatures.All"/> (none untested).</summary>
public sealed class KernelCapabilities(string kernelRelease, string? configSource, IReadOnlyList<KernelFeatureResult> results)
{
    /// <summary><c>uname -r</c>.</summary>
    public string KernelRelease { get; } = kernelRelease;

    /// <summary>The kernel config read, or null when none was found (every feature was then tried).</summary>
    public string? ConfigSource { get; } = configSource;

    public IReadOnlyList<KernelFeatureResult> Results { get; } = results;

    /// <summary>The result for a feature of <see cref="KernelFeatures"/>.</summary>
    public KernelFeatureResult this[string feature]
    {
        get
        {
            foreach (KernelFeatureResult result in Results)
            {
                if (result.Feature.Name == feature)
                {
                    return result;
                }
            }

            throw new KeyNotFoundException("kernel feature not probed: " + feature);
        }
    }

    public bool Has(string feature) => this[feature].Present;

    /// <summary>Whether every required feature is present (checksystem's verdict).</summary>
    public bool MeetsRequirements => Results.All(r => r.Present || !r.Feature.Required);
}
