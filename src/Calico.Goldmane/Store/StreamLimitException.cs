namespace Calico.Goldmane.Store;

/// <summary>Flows.Stream refused: the store already serves its maximum number of streams (gRPC ResourceExhausted).</summary>
public sealed class StreamLimitException : Exception
{
    public StreamLimitException()
    {
    }

    public StreamLimitException(string message)
        : base(message)
    {
    }

    public StreamLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
