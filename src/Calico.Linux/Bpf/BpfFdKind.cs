namespace Calico.Linux.Bpf;

/// <summary>
/// What a BPF fd refers to, from the kernel's /proc/self/fdinfo (a map's shows <c>map_type:</c>, a program's
/// <c>prog_type:</c>): bpf_obj_get_info_by_fd fills whichever info struct the object has, so it cannot tell them apart.
/// </summary>
internal static class BpfFdKind
{
    public static void Require(int fd, string field, string what, string description)
    {
        string info;
        try
        {
            info = File.ReadAllText($"/proc/self/fdinfo/{fd}");
        }
        catch (IOException ex)
        {
            throw new BpfException($"{description}: cannot read /proc/self/fdinfo/{fd}: {ex.Message}", Interop.Errno.EINVAL);
        }

        if (!info.Contains("\n" + field + ":", StringComparison.Ordinal) && !info.StartsWith(field + ":", StringComparison.Ordinal))
        {
            throw new BpfException($"{description} is not a BPF {what}", Interop.Errno.EINVAL);
        }
    }
}
