using System.Globalization;
using Calico.Linux.Kernel;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl node checksystem [--kernel-config=&lt;file&gt;]</c>: upstream's output shape (a kernel version line,
/// then one line per kernel feature, then the verdict), over calico-node's own probe (<see cref="KernelProbe"/>) so both
/// agree. Upstream checks module files; here each line is a feature with OK, WARNING (optional: needed only when a
/// setting asks for it) or FAIL (every node needs it), and the reason. Exit 0 unless a required check fails.
/// </summary>
/// <remarks>
/// A last section lists what the eBPF dataplane (FelixConfiguration <c>bpfEnabled</c>) needs and finds here
/// (<see cref="Linux.Bpf.BpfSupport"/>, the probe calico-node's BPF mode relies on): WARNING lines only, since the
/// nftables dataplane is the default and runs without any of it.
/// </remarks>
internal sealed class NodeCheckSystemRunner(
    CtlContext context,
    Func<bool> isRoot,
    Func<KernelProbeOptions, CancellationToken, Task<KernelCapabilities>> probe,
    Func<CancellationToken, Task<Linux.Bpf.BpfSupportReport>>? bpfProbe = null)
{
    /// <summary>Upstream's minimum: network namespaces and veth pairs. The feature lines below carry the real limits.</summary>
    public static readonly Version MinimumKernel = new(2, 6, 24);

    public const string Success = "System meets minimum system requirements to run Calico!";
    public const string Failure = "System doesn't meet one or more minimum systems requirements to run Calico";

    public async Task<int> RunAsync(string? kernelConfig, CancellationToken cancellationToken)
    {
        if (!isRoot())
        {
            context.Out.WriteLine("Need super user privileges: Operation not permitted");
            return 1;
        }

        if (!string.IsNullOrEmpty(kernelConfig) && !File.Exists(kernelConfig))
        {
            throw new CtlException($"Invalid value for --kernel-config: \"{kernelConfig}\": no such file");
        }

        KernelCapabilities capabilities;
        try
        {
            capabilities = await probe(new KernelProbeOptions { ConfigPath = NullIfEmpty(kernelConfig) }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new CtlException($"Invalid value for --kernel-config: \"{kernelConfig}\": {e.Message}");
        }

        bool ok = true;
        context.Out.Write("Checking kernel version...\n");
        if (ParseRelease(capabilities.KernelRelease) is { } version && version >= MinimumKernel)
        {
            PrintResult(capabilities.KernelRelease, "OK", null);
        }
        else
        {
            PrintResult(capabilities.KernelRelease, "FAIL", null);
            context.Out.Write($"Minimum kernel version to run Calico is {MinimumKernel}. Detected kernel version: {capabilities.KernelRelease}\n");
            ok = false;
        }

        context.Out.Write("Checking kernel modules...\n");
        foreach (KernelFeatureResult result in capabilities.Results)
        {
            PrintResult(result.Feature.Name, result.CheckStatus, result.Reason);
        }

        if (bpfProbe is not null)
        {
            Linux.Bpf.BpfSupportReport bpf = await bpfProbe(cancellationToken).ConfigureAwait(false);
            context.Out.Write("Checking eBPF dataplane support (bpfEnabled)...\n");
            foreach (Linux.Bpf.BpfCapability capability in bpf.Capabilities)
            {
                PrintResult(capability.Name, capability.Present ? "OK" : "WARNING", capability.Reason);
            }

            if (bpf.WhyDataplaneCannotRun() is { } why)
            {
                context.Out.Write($"bpfEnabled: true cannot run on this host ({why}); calico-node would keep workload policy in nftables\n");
            }
        }

        if (!ok || !capabilities.MeetsRequirements)
        {
            context.Error.WriteLine(Failure);
            return 1;
        }

        context.Out.Write(Success + "\n");
        return 0;
    }

    /// <summary>"6.18.44-fc-v1272" → 6.18.44; null when it does not start with a version.</summary>
    internal static Version? ParseRelease(string release)
    {
        int end = 0;
        while (end < release.Length && (char.IsAsciiDigit(release[end]) || release[end] == '.'))
        {
            end++;
        }

        string[] parts = release[..end].Trim('.').Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor))
        {
            return null;
        }

        int patch = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : 0;
        return new Version(major, minor, patch);
    }

    /// <summary>Upstream's <c>printResult</c> (<c>"\t\t%-20s\t\t\t\t\t%s\n"</c>), with the reason after the status.</summary>
    private void PrintResult(string value, string status, string? reason) =>
        context.Out.Write($"\t\t{value,-20}\t\t\t\t\t{status}{(reason is null ? "" : "\t" + reason)}\n");

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
