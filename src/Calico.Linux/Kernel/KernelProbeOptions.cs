namespace Calico.Linux.Kernel;

/// <summary>Where <see cref="KernelProbe"/> looks for the kernel config.</summary>
public sealed record KernelProbeOptions
{
    /// <summary>A kernel config file to read instead of the default locations (calicoctl's --kernel-config); plain text or gzip.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Ignore every kernel config and try each feature (tests use it to exercise the trials).</summary>
    public bool IgnoreConfig { get; init; }
}
