namespace Calico.Client;

/// <summary>
/// A stored value cannot be read as the resource its key names (torn write, hand-edited etcd, a newer format).
/// The message names the key and why, so an operator can delete or overwrite exactly that key. <see cref="Revision"/>
/// is the key's stored revision: overwriting or deleting is compare-and-swap on it like any other write.
/// </summary>
public sealed class CorruptResourceException(string key, long revision, string reason, Exception? inner = null)
    : Exception($"cannot decode {key}: {reason}", inner)
{
    public string Key { get; } = key;

    public long Revision { get; } = revision;

    public string Reason { get; } = reason;
}
