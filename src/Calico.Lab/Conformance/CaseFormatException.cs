namespace Calico.Lab.Conformance;

/// <summary>A case file or one of its steps does not follow the conformance format; the message says where.</summary>
public sealed class CaseFormatException : Exception
{
    public CaseFormatException()
    {
    }

    public CaseFormatException(string message) : base(message)
    {
    }

    public CaseFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
