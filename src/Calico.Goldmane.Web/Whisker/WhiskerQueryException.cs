namespace Calico.Goldmane.Web.Whisker;

/// <summary>A query parameter the whisker-backend API cannot use; answered 400 with the message.</summary>
public sealed class WhiskerQueryException(string parameter, string value, string reason)
    : Exception($"failed to decode {parameter}: invalid value \"{value}\": {reason}")
{
    /// <summary>The query parameter, as upstream spells it (e.g. <c>startTimeGte</c>).</summary>
    public string Parameter { get; } = parameter;

    /// <summary>The value it had.</summary>
    public string Value { get; } = value;
}
