using System.Runtime.InteropServices;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using Calico.Linux.Nft;

namespace Calico.Linux.Kernel;

/// <summary>
/// Tries features in the calling thread's namespace, which must be a throwaway one (<see cref="KernelProbe"/> calls
/// this from <see cref="NetworkNamespace.RunInThrowawayAsync{T}"/>): whatever a trial creates vanishes with it.
/// </summary>
internal static class KernelTrials
{
    private const int ErrnoNotSupported = 95;

    public static Dictionary<string, (bool Worked, string Reason)> TryAll(IReadOnlyList<KernelFeature> features)
    {
        var results = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        foreach (KernelFeature feature in features)
        {
            results[feature.Name] = Try(feature);
        }

        return results;
    }

    private static (bool Worked, string Reason) Try(KernelFeature feature)
    {
        try
        {
            switch (feature.Trial)
            {
                case KernelTrial.NftTable:
                {
                    using NfTables nft = NfTables.Open();
                    var transaction = new NfTablesTransaction("inet", "calico-probe");
                    transaction.AddTable();
                    nft.Apply(transaction);
                    return (true, "created an inet table in a throwaway namespace");
                }

                case KernelTrial.BpfProgram:
                    return TryBpf();

                default:
                {
                    using RouteNetlink netlink = RouteNetlink.Open();
                    string kind = feature.Trial switch
                    {
                        KernelTrial.VethLink => "veth",
                        KernelTrial.VxlanLink or KernelTrial.Vxlan6Link => "vxlan",
                        _ => feature.LinkKind!,
                    };
                    if (feature.Trial == KernelTrial.VethLink)
                    {
                        netlink.CreateVeth(new VethSpec("probe-veth0", "probe-veth1"));
                    }
                    else if (feature.Trial == KernelTrial.VxlanLink)
                    {
                        netlink.CreateVxlan(new VxlanSpec("probe-vxlan", 4096, 4789));
                    }
                    else if (feature.Trial == KernelTrial.Vxlan6Link)
                    {
                        netlink.CreateVxlan(new VxlanSpec("probe-vxlan6", 4096, 4789) { LocalAddress = System.Net.IPAddress.IPv6Loopback });
                    }
                    else
                    {
                        netlink.CreateLink("probe-" + kind, kind);
                    }

                    return (true, $"created a {kind} link in a throwaway namespace");
                }
            }
        }
        catch (NetlinkException ex) when (ex.Errno == ErrnoNotSupported)
        {
            return (false, "the kernel does not support it (" + ex.Message + ")");
        }
        catch (NetlinkException ex)
        {
            return (false, "the kernel refused it: " + ex.Message);
        }
    }

    /// <summary>BPF_PROG_LOAD of "r0 = 0; exit" as a socket filter: the smallest program every eBPF kernel accepts.</summary>
    private static unsafe (bool Worked, string Reason) TryBpf()
    {
        nint number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 321,
            Architecture.Arm64 => 280,
            _ => -1,
        };
        if (number < 0)
        {
            return (false, "no bpf syscall number known for " + RuntimeInformation.ProcessArchitecture);
        }

        const int BpfProgLoad = 5;
        const uint BpfProgTypeSocketFilter = 1;
        // mov64 r0, 0 (0xb7); exit (0x95): two 8-byte instructions.
        ulong* instructions = stackalloc ulong[2];
        instructions[0] = 0xb7;
        instructions[1] = 0x95;
        byte* license = stackalloc byte[] { (byte)'G', (byte)'P', (byte)'L', 0 };
        // union bpf_attr's BPF_PROG_LOAD prefix: prog_type, insn_cnt, insns, license, log_level, log_size, log_buf,
        // kern_version; the rest stays zero (the kernel requires unknown trailing bytes to be zero).
        const int AttrSize = 72;
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)attr = BpfProgTypeSocketFilter;
        *(uint*)(attr + 4) = 2;
        *(ulong*)(attr + 8) = (ulong)instructions;
        *(ulong*)(attr + 16) = (ulong)license;
        nint fd = LibC.Syscall(number, BpfProgLoad, attr, AttrSize);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return (false, "bpf(BPF_PROG_LOAD) failed: " + Errno.Describe(errno));
        }

        _ = LibC.Close((int)fd);
        return (true, "loaded a socket-filter program with bpf(BPF_PROG_LOAD)");
    }
}
