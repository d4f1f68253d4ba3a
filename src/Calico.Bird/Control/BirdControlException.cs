namespace Calico.Bird.Control;

/// <summary>The control socket could not be used: not there, closed mid-reply, or it spoke something unexpected.</summary>
public sealed class BirdControlException : Exception
{
    public BirdControlException(string message) : base(message) { }

    public BirdControlException(string message, Exception inner) : base(message, inner) { }
}
