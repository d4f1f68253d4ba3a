namespace Calico.Lab.Cluster;

/// <summary>A lab command cannot do what it was asked (bad argument, missing lab, a step that failed); the message says why.</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
