namespace Calico.Linux.Bpf;

/// <summary>One thing the BPF dataplane needs or may use, whether this kernel offers it, and why we think so.</summary>
public sealed record BpfCapability(string Name, bool Present, string Reason)
{
    public override string ToString() => $"{Name}: {(Present ? "yes" : "no")} ({Reason})";
}
