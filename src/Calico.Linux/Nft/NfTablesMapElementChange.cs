namespace Calico.Linux.Nft;

/// <summary>
/// Add (<paramref name="Add"/> true) or delete the element <paramref name="Key"/> (an interface name, at most 15
/// characters) of a <c>type ifname : verdict</c> map. <paramref name="Verdict"/> is what the key maps to:
/// "goto &lt;chain&gt;", "jump &lt;chain&gt;", "accept" or "drop"; a delete needs only the key (the verdict is ignored).
/// </summary>
public sealed record MapElementChange(bool Add, string Key, string? Verdict);
