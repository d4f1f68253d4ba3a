namespace Calico.Cni;

/// <summary>
/// A failure reported to the runtime as a CNI error object (<c>{"cniVersion","code","msg","details"}</c> on stdout,
/// non-zero exit). The message names what is wrong (the key, the variable, the value).
/// </summary>
internal sealed class CniException(int code, string message, string? details = null, Exception? inner = null) : Exception(message, inner)
{
    public int Code { get; } = code;

    public string? Details { get; } = details;
}
