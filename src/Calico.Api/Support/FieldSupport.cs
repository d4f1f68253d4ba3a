namespace Calico.Api.Support;

/// <summary>
/// One row of the support matrix: what <see cref="Path"/> of <see cref="Kind"/> does here. An empty path is the
/// whole kind. Several rows may share a path when they differ by <see cref="Values"/> (for example
/// <c>ipipMode</c>: <c>Never</c> acts, <c>Always</c> is refused).
/// </summary>
public sealed record FieldSupport(string Kind, string Path, SupportStatus Status, string Why)
{
    /// <summary>What to use instead (refused rows).</summary>
    public string? Instead { get; init; }

    /// <summary>When set, the row applies only to these values (compared case-insensitively with the value's text).</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>
    /// Values that count as "not set", besides null and empty. When null, false and 0 count as not set too (the Go
    /// zero value); when given, only these do (a field whose default is <c>true</c>).
    /// </summary>
    public IReadOnlyList<string>? Defaults { get; init; }

    /// <summary>The row applies when the field is missing or empty (a host endpoint with no interfaceName).</summary>
    public bool WhenAbsent { get; init; }

    /// <summary>An acts row that covers everything below it (metadata, a selector map, an ICMP match).</summary>
    public bool Subtree { get; init; }

    /// <summary>A refused setting calico-node cannot enforce safely: while present, the node is not ready.</summary>
    public bool BlocksReadiness { get; init; }

    public bool IsKindLevel => Path.Length == 0;

    /// <summary>The path as printed: the field path, or <c>(kind)</c> for a kind-level row.</summary>
    public string DisplayPath => IsKindLevel ? "(kind)" : Path;

    public static string StatusText(SupportStatus status) => status switch
    {
        SupportStatus.Acts => "acts",
        SupportStatus.Refused => "refused",
        _ => "ignored",
    };

    /// <summary>The reason as printed: why, then what to use instead.</summary>
    public string Reason => Instead is null ? Why : $"{Why}; use {Instead} instead";
}
