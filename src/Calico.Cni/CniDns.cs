namespace Calico.Cni;

/// <summary>The configuration's <c>dns</c> (CNI's DNS type), handed back in the ADD result as the spec expects.</summary>
internal sealed record CniDns
{
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    public string? Domain { get; init; }

    public IReadOnlyList<string> Search { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];

    public bool IsEmpty => Nameservers.Count == 0 && Domain is null && Search.Count == 0 && Options.Count == 0;
}
