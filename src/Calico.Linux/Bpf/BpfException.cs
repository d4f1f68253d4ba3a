namespace Calico.Linux.Bpf;

/// <summary>A libbpf or bpf(2) call failed: what was attempted, the errno, and libbpf's own words when it gave any.</summary>
public sealed class BpfException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;

    internal static BpfException From(string what, int negativeErrno, long messagesMark) =>
        Describe(what, negativeErrno, LibbpfMessages.Since(messagesMark));

    /// <summary>As <see cref="From(string, int, long)"/>, with only libbpf's warnings that contain <paramref name="mentioning"/>.</summary>
    internal static BpfException From(string what, int negativeErrno, long messagesMark, string mentioning) =>
        Describe(what, negativeErrno, LibbpfMessages.Since(messagesMark, mentioning));

    private static BpfException Describe(string what, int negativeErrno, string said)
    {
        var errno = Math.Abs(negativeErrno);
        return new BpfException($"{what}: {Interop.Errno.Describe(errno)}{(said.Length == 0 ? "" : "\n" + said)}", errno);
    }
}
