namespace Calico.Ctl;

/// <summary>A user-facing failure: the message is printed to stderr as is and calicoctl exits 1.</summary>
internal sealed class CtlException(string message) : Exception(message);
