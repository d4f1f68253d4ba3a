namespace Calico.Linux.Kernel;

/// <summary>What the probe found for one feature, and why (a clause for logs, readiness and checksystem).</summary>
public sealed record KernelFeatureResult(KernelFeature Feature, KernelFeatureState State, string Reason)
{
    public bool Present => State == KernelFeatureState.Present;

    /// <summary>checksystem's word: OK when present, else FAIL for a required feature and WARNING for an optional one.</summary>
    public string CheckStatus => Present ? "OK" : Feature.Required ? "FAIL" : "WARNING";
}
