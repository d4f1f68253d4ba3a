namespace Calico.Linux.Netlink;

/// <summary>
/// One NLMSG_ERROR answer: <see cref="Errno"/> 0 is an ack. <see cref="AttributeOffset"/> is the kernel's
/// NLMSGERR_ATTR_OFFS (the offending attribute, counted from the start of the request's header) or -1;
/// <see cref="Detail"/> its NLMSGERR_ATTR_MSG text, if any.
/// </summary>
internal readonly record struct NetlinkAck(uint Sequence, int Errno, int AttributeOffset, string? Detail);
