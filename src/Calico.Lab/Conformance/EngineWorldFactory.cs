namespace Calico.Lab.Conformance;

/// <summary><c>--engine</c>: each case in its own throw-away embedded store, answered by the policy engine.</summary>
public sealed class EngineWorldFactory : ICaseWorldFactory
{
    public static EngineWorldFactory Instance { get; } = new();

    public async Task<ICaseWorld> CreateAsync(ConformanceCase testCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        return await EngineWorld.CreateAsync(testCase.Pods, testCase.Probes, cancellationToken).ConfigureAwait(false);
    }
}
