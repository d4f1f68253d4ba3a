using System.Text;

namespace Calico.Observability.Http;

/// <summary>Parses a request head (request line and headers, up to the blank line) from raw bytes.</summary>
internal static class HttpRequestParser
{
    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    /// <summary>Length of the head including its terminating blank line, or -1 when it is not complete yet.</summary>
    public static int HeadLength(ReadOnlySpan<byte> received)
    {
        var index = received.IndexOf(HeadTerminator);
        return index < 0 ? -1 : index + HeadTerminator.Length;
    }

    /// <summary>Returns null and an error when the head is not a well-formed HTTP/1.x request.</summary>
    public static HttpRequest? TryParse(ReadOnlySpan<byte> head, out string error)
    {
        // Latin1 maps every byte to one char, so a stray non-ASCII byte cannot make decoding fail.
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || !IsToken(requestLine[0]))
        {
            error = "malformed request line";
            return null;
        }
        if (!requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            error = "unsupported protocol version";
            return null;
        }
        var target = requestLine[1];
        if (!target.StartsWith('/'))
        {
            error = "request target must be an absolute path";
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                error = "malformed header line";
                return null;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];
        error = string.Empty;
        return new HttpRequest(requestLine[0], path, query, headers);
    }

    private static bool IsToken(string value)
    {
        foreach (var c in value)
        {
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
