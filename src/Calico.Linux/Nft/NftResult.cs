namespace Calico.Linux.Nft;

/// <summary>A successful <c>nft</c> run: how long the child took (start to exit) and what it printed.</summary>
public sealed record NftResult(TimeSpan Duration, string Output);
