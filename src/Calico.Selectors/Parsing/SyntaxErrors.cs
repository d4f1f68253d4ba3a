using System.Text;

namespace Calico.Selectors.Parsing;

/// <summary>Builds the one error shape operators see: <c>selector: PROBLEM at column N: TEXT</c>.</summary>
internal static class SyntaxErrors
{
    /// <summary>Longer selectors are echoed as an excerpt around the column, so one bad value cannot flood a log.</summary>
    private const int MaxEcho = 200;

    public static SelectorSyntaxException At(string text, int offset, string problem)
    {
        var column = offset + 1;
        var message = $"selector: {problem} at column {column}: {Printable(Excerpt(text, offset))}";
        return new SelectorSyntaxException(message, column) { Text = text };
    }

    /// <summary>The text, or for a long one the characters around <paramref name="offset"/> with the cuts marked.</summary>
    internal static string Excerpt(string text, int offset)
    {
        if (text.Length <= MaxEcho)
        {
            return text;
        }

        var start = Math.Clamp(offset - (MaxEcho / 2), 0, text.Length - MaxEcho);
        var head = start == 0 ? "" : "...";
        var tail = start + MaxEcho >= text.Length ? "" : "...";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{head}{text.AsSpan(start, MaxEcho)}{tail} ({text.Length} characters)");
    }

    /// <summary>Describes the character(s) at <paramref name="offset"/>: a whole word if it starts one.</summary>
    public static string DescribeAt(string text, int offset)
    {
        if (offset >= text.Length)
        {
            return "the end of the selector";
        }

        var c = text[offset];
        if (Lexer.IsLabelChar(c))
        {
            var end = offset;
            while (end < text.Length && Lexer.IsLabelChar(text[end]))
            {
                end++;
            }

            return $"'{text[offset..end]}'";
        }

        return DescribeChar(c);
    }

    public static string DescribeChar(char c) => c switch
    {
        '\n' => "newline (only spaces and tabs may separate tokens)",
        '\r' => "carriage return (only spaces and tabs may separate tokens)",
        _ when char.IsWhiteSpace(c) => $"whitespace U+{(int)c:X4} (only spaces and tabs may separate tokens)",
        _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
        _ => $"character '{c}'",
    };

    // Keeps the message on one line; a selector with a newline in it is already an error.
    private static string Printable(string text)
    {
        var needsEscape = false;
        foreach (var c in text)
        {
            if (char.IsControl(c) && c != '\t')
            {
                needsEscape = true;
                break;
            }
        }

        if (!needsEscape)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append(c); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }
}
