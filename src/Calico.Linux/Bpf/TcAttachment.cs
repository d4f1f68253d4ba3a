namespace Calico.Linux.Bpf;

/// <summary>
/// A tc BPF filter found on (or just put on) an interface's clsact hook: the filter's identity (handle and priority)
/// and the kernel id of the program it runs.
/// </summary>
public sealed record TcAttachment(int InterfaceIndex, TcDirection Direction, uint Handle, uint Priority, uint ProgramId)
{
    /// <summary>How this attachment compares with the program we expect there (drift detection). Pure.</summary>
    public static TcAttachmentState Compare(TcAttachment? found, uint expectedProgramId) =>
        found is null ? TcAttachmentState.Missing
        : found.ProgramId == expectedProgramId ? TcAttachmentState.Attached
        : TcAttachmentState.Replaced;
}

/// <summary>What a tc query found where our filter should be.</summary>
public enum TcAttachmentState
{
    /// <summary>Our filter runs the program we expect.</summary>
    Attached,

    /// <summary>No filter with our handle and priority (detached by hand, the clsact qdisc deleted, a new interface).</summary>
    Missing,

    /// <summary>Our filter's place holds another program (another loader, a stale one of ours, a hand-made filter).</summary>
    Replaced,
}
