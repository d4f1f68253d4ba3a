namespace Calico.Node.Kernel;

/// <summary>A setting that needs a kernel feature: <c>IPPool lab ipipMode=Always</c> needs <c>ipip</c>.</summary>
internal sealed record KernelRequest(string Setting, string Feature);
