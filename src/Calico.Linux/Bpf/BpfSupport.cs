using System.Globalization;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Bpf;

/// <summary>
/// What this kernel offers the BPF dataplane, found by trying it: a tc program loads (bpf(2) usable), BTF describes
/// the kernel (CO-RE), the JIT is on, a program attaches to a clsact hook, tc programs may call bpf_redirect_peer and
/// bpf_redirect_neigh, and whether netkit devices exist. The tc and netkit trials run in a throwaway network
/// namespace (nothing is left behind, nothing the host uses is touched); the rest only reads or loads and closes.
/// </summary>
public static class BpfSupport
{
    public const string Syscall = "bpf-syscall";
    public const string Btf = "btf";
    public const string Jit = "jit";
    public const string TcClsact = "tc-clsact";
    public const string RedirectPeer = "bpf_redirect_peer";
    public const string RedirectNeigh = "bpf_redirect_neigh";
    public const string Netkit = "netkit";

    /// <summary>What the BPF dataplane cannot run without (the rest it uses when present).</summary>
    public static readonly IReadOnlyList<string> Required = [Syscall, Btf, TcClsact];

    private const int ProgramTypeSchedCls = 3;
    private const int HelperRedirectNeigh = 152;
    private const int HelperRedirectPeer = 155;

    /// <summary>Runs every probe. Needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN for the throwaway namespace).</summary>
    public static async Task<BpfSupportReport> ProbeAsync(BpfProbeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BpfProbeOptions();
        LibbpfMessages.EnsureInstalled();
        var syscall = ProbeSyscall();
        var btf = BtfFrom(File.Exists(options.BtfPath), options.BtfPath);
        var jit = JitFrom(syscall.Present ? JitedLengthOfATrivialProgram() : null, ReadOrNull(options.JitSysctlPath), options.JitSysctlPath);
        var (tc, netkit) = await NetworkNamespace.RunInThrowawayAsync(() => (syscall.Present ? TryTcAttach() : Needs(TcClsact, syscall), TryNetkit()), cancellationToken).ConfigureAwait(false);
        var peer = syscall.Present ? ProbeHelper(RedirectPeer, HelperRedirectPeer) : Needs(RedirectPeer, syscall);
        var neigh = syscall.Present ? ProbeHelper(RedirectNeigh, HelperRedirectNeigh) : Needs(RedirectNeigh, syscall);
        return new BpfSupportReport([syscall, btf, jit, tc, peer, neigh, netkit]);
    }

    /// <summary>The BTF capability from whether the kernel's BTF file exists. Pure.</summary>
    public static BpfCapability BtfFrom(bool exists, string path) => exists
        ? new BpfCapability(Btf, true, $"{path} exists (CO-RE relocations resolve against it)")
        : new BpfCapability(Btf, false, $"{path} is missing: the kernel was built without CONFIG_DEBUG_INFO_BTF, so CO-RE programs cannot load");

    /// <summary>
    /// The JIT capability from what the kernel made of a trivial program (its JIT-compiled length; null when none
    /// could be loaded) and net.core.bpf_jit_enable's content (null: not readable, as in any network namespace but
    /// the initial one). The program's answer wins: it is what happens, the setting is what was asked. Pure.
    /// </summary>
    public static BpfCapability JitFrom(uint? jitedLength, string? sysctlContent, string sysctlPath)
    {
        var setting = sysctlContent is null ? "" : $"; {sysctlPath} is {sysctlContent.Trim()}";
        if (jitedLength is { } length)
        {
            return length > 0
                ? new BpfCapability(Jit, true, $"a loaded program was JIT-compiled ({length} bytes of machine code){setting}")
                : new BpfCapability(Jit, false, $"a loaded program was not JIT-compiled: programs are interpreted (slow){setting}; write 1 to net.core.bpf_jit_enable");
        }

        if (sysctlContent is null)
        {
            return new BpfCapability(Jit, false, $"no program could be loaded and {sysctlPath} is not readable here");
        }

        return int.TryParse(sysctlContent.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value switch
        {
            0 => new BpfCapability(Jit, false, $"{sysctlPath} is 0: the JIT is off, programs are interpreted (slow); write 1 to enable it"),
            1 => new BpfCapability(Jit, true, $"{sysctlPath} is 1"),
            2 => new BpfCapability(Jit, true, $"{sysctlPath} is 2 (on, with debug output to the kernel log)"),
            _ => new BpfCapability(Jit, false, $"{sysctlPath} is {value}, not a value the kernel documents (0, 1, 2)"),
        } : new BpfCapability(Jit, false, $"{sysctlPath} holds '{sysctlContent.Trim()}', not a number");
    }

    private static BpfCapability ProbeSyscall()
    {
        var result = Libbpf.ProbeProgramType(ProgramTypeSchedCls, 0);
        return result switch
        {
            1 => new BpfCapability(Syscall, true, "bpf(2) loaded a tc (sched_cls) program"),
            0 => new BpfCapability(Syscall, false, "bpf(2) refused a trivial tc (sched_cls) program: the kernel lacks CONFIG_NET_CLS_BPF or BPF"),
            _ => new BpfCapability(Syscall, false, "bpf(2) failed: " + Errno.Describe(-result) + (result == -Errno.EPERM ? " (needs root: CAP_BPF and CAP_SYS_ADMIN or CAP_NET_ADMIN)" : "")),
        };
    }

    private static BpfCapability ProbeHelper(string name, int helperId)
    {
        var result = Libbpf.ProbeHelper(ProgramTypeSchedCls, helperId, 0);
        return result switch
        {
            1 => new BpfCapability(name, true, $"tc programs may call {name} (helper {helperId})"),
            0 => new BpfCapability(name, false, $"the verifier refuses {name} (helper {helperId}) in tc programs: the kernel is too old"),
            _ => new BpfCapability(name, false, $"probing {name} failed: {Errno.Describe(-result)}"),
        };
    }

    /// <summary>"r0 = TC_ACT_OK; exit" as a tc program (the caller owns it).</summary>
    private static unsafe BpfProgram LoadTrivialTcProgram()
    {
        var instructions = stackalloc ulong[2] { 0xb7, 0x95 }; // mov64 r0, 0; exit
        var mark = LibbpfMessages.Mark();
        var fd = Libbpf.ProgramLoad(ProgramTypeSchedCls, "calico_probe", "GPL", instructions, 2, 0);
        return fd < 0
            ? throw BpfException.From("loading a trivial tc program", fd, mark)
            : BpfProgram.FromOwnedFd(fd, "the probe's tc program");
    }

    private static uint? JitedLengthOfATrivialProgram()
    {
        try
        {
            using var program = LoadTrivialTcProgram();
            return program.ReadInfo().JitedLength;
        }
        catch (BpfException)
        {
            return null; // the syscall probe already says why programs do not load
        }
    }

    /// <summary>In the throwaway namespace: a trivial program attached to lo's clsact ingress, found by query, detached.</summary>
    private static BpfCapability TryTcAttach()
    {
        try
        {
            using var program = LoadTrivialTcProgram();
            var lo = BpfTc.InterfaceIndex("lo");
            var attached = BpfTc.Attach(lo, TcDirection.Ingress, program);
            var found = BpfTc.Query(lo, TcDirection.Ingress);
            if (TcAttachment.Compare(found, attached.ProgramId) != TcAttachmentState.Attached)
            {
                return new BpfCapability(TcClsact, false, $"a tc program attached to lo's clsact ingress was not found there again (query: {found?.ProgramId.ToString(CultureInfo.InvariantCulture) ?? "none"})");
            }

            BpfTc.Detach(lo, TcDirection.Ingress);
            BpfTc.DestroyClsact(lo);
            return new BpfCapability(TcClsact, true, "attached, queried and detached a program on a clsact hook in a throwaway namespace");
        }
        catch (BpfException ex)
        {
            return new BpfCapability(TcClsact, false, ex.Message);
        }
    }

    private static BpfCapability TryNetkit()
    {
        try
        {
            using var netlink = RouteNetlink.Open();
            netlink.CreateLink("probe-netkit", "netkit");
            return new BpfCapability(Netkit, true, "created a netkit device in a throwaway namespace");
        }
        catch (NetlinkException ex)
        {
            return new BpfCapability(Netkit, false, "the kernel has no netkit devices (" + ex.Message + ")");
        }
    }

    private static BpfCapability Needs(string name, BpfCapability missing) =>
        new(name, false, $"not tried: {missing.Name} is missing");

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
