namespace Calico.Linux.Bpf;

/// <summary>Where <see cref="BpfSupport.ProbeAsync"/> reads the kernel's BTF and JIT setting (tests point elsewhere).</summary>
public sealed record BpfProbeOptions
{
    public string BtfPath { get; init; } = "/sys/kernel/btf/vmlinux";

    public string JitSysctlPath { get; init; } = "/proc/sys/net/core/bpf_jit_enable";
}
