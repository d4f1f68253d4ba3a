namespace Calico.Linux.Bpf;

/// <summary>A libbpf or bpf(2) call failed: what was attempted, the errno, and libbpf's own words when it gave any.</summary>
public sealed class BpfException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;

    internal static BpfException From(string what, int negativeErrno, long messagesMark)
    {
        var errno = Math.Abs(negativeErrno);
        var said = LibbpfMessages.Since(messagesMark);
        return new BpfException($"{what}: {Interop.Errno.Describe(errno)}{(said.Length == 0 ? "" : "\n" + said)}", errno);
    }
}
