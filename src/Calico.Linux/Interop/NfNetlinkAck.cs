namespace Calico.Linux.Interop;

/// <summary>
/// One NLMSG_ERROR answer to a batch message: <see cref="Errno"/> 0 is an ack. <see cref="AttributeOffset"/> is
/// the kernel's NLMSGERR_ATTR_OFFS (the offending attribute, counted from the start of the request's header) or -1.
/// </summary>
internal readonly record struct NfNetlinkAck(uint Sequence, int Errno, int AttributeOffset, string? Detail);
