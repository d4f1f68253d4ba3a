namespace Calico.Linux.Nft;

/// <summary>
/// <c>nft</c> exited non-zero. <see cref="Error"/> is nft's stderr verbatim: it names the failing line of the
/// script (<c>/dev/stdin:3:1-20: Error: ...</c>), which is what an operator needs to find the bad rule. The kernel
/// kept the ruleset it had before (<c>nft -f</c> is one transaction).
/// </summary>
public sealed class NftException : Exception
{
    public NftException(string operation, int exitCode, string error)
        : base($"{operation} exited {exitCode}: {error.Trim()}")
    {
        ExitCode = exitCode;
        Error = error;
    }

    public NftException()
    {
        Error = string.Empty;
    }

    public NftException(string message)
        : base(message)
    {
        Error = string.Empty;
    }

    public NftException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = string.Empty;
    }

    public int ExitCode { get; }

    public string Error { get; }
}
