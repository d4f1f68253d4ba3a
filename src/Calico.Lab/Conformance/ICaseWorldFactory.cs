namespace Calico.Lab.Conformance;

/// <summary>Makes the world each case runs in: the policy engine alone, or pods on a lab.</summary>
public interface ICaseWorldFactory
{
    Task<ICaseWorld> CreateAsync(ConformanceCase testCase, CancellationToken cancellationToken);
}
