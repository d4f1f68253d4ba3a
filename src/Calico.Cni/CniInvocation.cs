namespace Calico.Cni;

/// <summary>Everything one plugin execution sees: the name it was called by, its environment and stdio.</summary>
internal sealed record CniInvocation(string ProgramName, IReadOnlyDictionary<string, string> Environment, byte[] Stdin, TextWriter Stdout, TextWriter Stderr)
{
    /// <summary>calico-ipam when the binary was invoked by that name (a hard link to the calico binary).</summary>
    public bool IsIpam => ProgramName == "calico-ipam";
}
