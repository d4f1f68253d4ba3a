namespace Calico.Bird.Rendering;

/// <summary>One of BIRD 2's two channels; suffixes name the per-family functions and protocols.</summary>
internal enum IpFamily
{
    V4 = 4,
    V6 = 6,
}
