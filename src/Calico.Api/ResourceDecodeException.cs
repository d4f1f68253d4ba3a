namespace Calico.Api;

/// <summary>A document could not be turned into a resource; the message is upstream calicoctl's wording.</summary>
public sealed class ResourceDecodeException : Exception
{
    public ResourceDecodeException()
    {
    }

    public ResourceDecodeException(string message) : base(message)
    {
    }

    public ResourceDecodeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ResourceDecodeException(string message, string? path, Exception? innerException = null) : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>Where in the document the problem is (e.g. "spec.unknown"), when known.</summary>
    public string? Path { get; }
}
