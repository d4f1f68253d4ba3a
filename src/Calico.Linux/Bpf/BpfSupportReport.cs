namespace Calico.Linux.Bpf;

/// <summary>
/// What <see cref="BpfSupport.ProbeAsync"/> found, capability by capability, with the questions its readers ask
/// (calicoctl, calico-node's log and readiness, configuration validation). Pure.
/// </summary>
public sealed class BpfSupportReport
{
    private readonly Dictionary<string, BpfCapability> _byName;

    public BpfSupportReport(IReadOnlyList<BpfCapability> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        Capabilities = capabilities;
        _byName = capabilities.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>In probe order.</summary>
    public IReadOnlyList<BpfCapability> Capabilities { get; }

    public BpfCapability this[string name] =>
        _byName.TryGetValue(name, out var capability) ? capability : throw new KeyNotFoundException($"no BPF capability named {name} (known: {string.Join(", ", _byName.Keys)})");

    public bool Has(string name) => this[name].Present;

    /// <summary>Every capability that is absent, in probe order.</summary>
    public IReadOnlyList<BpfCapability> Missing => Capabilities.Where(c => !c.Present).ToList();

    /// <summary>
    /// Null when the BPF dataplane can run here (what <see cref="BpfSupport.Required"/> lists is present); otherwise why
    /// not, naming each missing capability and its reason.
    /// </summary>
    public string? WhyDataplaneCannotRun()
    {
        var missing = BpfSupport.Required.Select(n => this[n]).Where(c => !c.Present).ToList();
        return missing.Count == 0 ? null
            : "the BPF dataplane needs what this kernel lacks: " + string.Join("; ", missing.Select(c => $"{c.Name} ({c.Reason})"));
    }

    /// <summary>
    /// Null when FelixConfiguration's <c>bpfAttachType</c> value can be honoured here; otherwise the reason to refuse it.
    /// Values are upstream's (TC, TCX, Netkit; upstream's default is Netkit); unknown values are refused.
    /// </summary>
    public string? WhyAttachTypeRefused(string attachType) => attachType switch
    {
        "TC" => Has(BpfSupport.TcClsact) ? null : $"bpfAttachType TC needs tc clsact BPF filters: {this[BpfSupport.TcClsact].Reason}",
        "TCX" => "bpfAttachType TCX is not supported: libbpf 1.1 (Debian 12's libbpf1) has no TCX attach; use TC",
        "Netkit" => Has(BpfSupport.Netkit)
            ? "bpfAttachType Netkit is not supported: libbpf 1.1 (Debian 12's libbpf1) has no netkit attach; use TC"
            : $"bpfAttachType Netkit is not supported: {this[BpfSupport.Netkit].Reason}; use TC",
        _ => $"bpfAttachType '{attachType}' is not one of TC, TCX, Netkit",
    };

    /// <summary>One line per capability, for calicoctl and the log.</summary>
    public string Describe() => string.Join("\n", Capabilities.Select(c => c.ToString()));
}
