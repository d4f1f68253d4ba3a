namespace Calico.Observability.Http;

/// <summary>One parsed HTTP/1.x request head; the server never reads a request body.</summary>
public sealed class HttpRequest
{
    private readonly IReadOnlyDictionary<string, string> _headers;

    internal HttpRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers)
    {
        Method = method;
        Path = path;
        Query = query;
        _headers = headers;
    }

    public string Method { get; }

    /// <summary>The target up to '?', as sent (no percent-decoding: our routes are plain ASCII).</summary>
    public string Path { get; }

    /// <summary>The target after '?', without the '?'; empty when there is none.</summary>
    public string Query { get; }

    /// <summary>The header's value (case-insensitive name), or null; repeated headers are joined with ", ".</summary>
    public string? Header(string name) => _headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The first value of a query parameter, or null.</summary>
    public string? QueryParameter(string name)
    {
        foreach (var part in Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return equals < 0 ? string.Empty : part[(equals + 1)..];
            }
        }
        return null;
    }
}
