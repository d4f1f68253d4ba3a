using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Calico.Api.Serialization;

/// <summary>go-yaml v2's resolution of plain scalars (YAML 1.1 flavour), used both to read and to decide quoting.</summary>
internal static partial class YamlScalars
{
    private static readonly HashSet<string> s_true = new(StringComparer.Ordinal) { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
    private static readonly HashSet<string> s_false = new(StringComparer.Ordinal) { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
    private static readonly HashSet<string> s_null = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };
    private static readonly HashSet<string> s_special = new(StringComparer.Ordinal) { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<" };

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")]
    private static partial Regex Base60FloatPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?$")]
    private static partial Regex TimestampPattern();

    private static readonly HashSet<string> s_canonicalBool = new(StringComparer.Ordinal) { "true", "True", "TRUE", "false", "False", "FALSE" };

    /// <summary>YAML 1.1's other spellings of a boolean (y, yes, on, n, no, off...).</summary>
    public static bool TryParseBoolWord(string text, out bool value)
    {
        value = s_true.Contains(text);
        return value || s_false.Contains(text);
    }

    /// <summary>
    /// The JSON value a plain scalar stands for; false when it is a plain string. The YAML 1.1 boolean words
    /// (y, yes, on, n, no, off) stay strings here: sigs.k8s.io/yaml keeps a scalar's text when the target field
    /// is a string (a namespace called <c>y</c> is "y", not "true"), and bool fields accept the words
    /// (<see cref="YamlBoolConverter"/>).
    /// </summary>
    public static bool TryResolvePlain(string text, out JsonNode? value)
    {
        value = null;
        if (s_null.Contains(text))
            return true;
        if (!s_canonicalBool.Contains(text))
        {
            if (s_true.Contains(text) || s_false.Contains(text))
                return false;
        }
        if (s_true.Contains(text))
        {
            value = JsonValue.Create(true);
            return true;
        }
        if (s_false.Contains(text))
        {
            value = JsonValue.Create(false);
            return true;
        }
        if (TryParseInt(text, out var l))
        {
            value = JsonValue.Create(l);
            return true;
        }
        if (FloatPattern().IsMatch(text.Replace("_", "", StringComparison.Ordinal))
            && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d))
        {
            // go-yaml's strconv.ParseFloat fails on overflow (1e400), leaving the scalar a string; JSON cannot hold infinity anyway.
            value = JsonValue.Create(d);
            return true;
        }
        return false;
    }

    /// <summary>Whether go-yaml would read this plain text as something other than a string, so it must be quoted.</summary>
    public static bool NeedsQuotes(string text) =>
        s_null.Contains(text) || s_true.Contains(text) || s_false.Contains(text) || s_special.Contains(text)
        || TryParseInt(text, out _) || FloatPattern().IsMatch(text.Replace("_", "", StringComparison.Ordinal))
        || Base60FloatPattern().IsMatch(text) || TimestampPattern().IsMatch(text);

    private static bool TryParseInt(string text, out long value)
    {
        value = 0;
        var s = text.Replace("_", "", StringComparison.Ordinal);
        if (s.Length == 0)
            return false;
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]))
            return false;
        ulong magnitude;
        bool ok;
        if (s.StartsWith("0x", StringComparison.Ordinal))
            ok = ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else if (s.StartsWith("0b", StringComparison.Ordinal))
            ok = TryParseBase(s.AsSpan(2), 2, out magnitude);
        else if (s.StartsWith("0o", StringComparison.Ordinal))
            ok = TryParseBase(s.AsSpan(2), 8, out magnitude);
        else if (s.Length > 1 && s[0] == '0')
            ok = TryParseBase(s.AsSpan(1), 8, out magnitude);
        else
            ok = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (!ok || magnitude > (negative ? 9223372036854775808UL : long.MaxValue))
            return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    private static bool TryParseBase(ReadOnlySpan<char> digits, int radix, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
            return false;
        foreach (var c in digits)
        {
            var d = c - '0';
            if (d < 0 || d >= radix || value > (ulong.MaxValue - (ulong)d) / (ulong)radix)
                return false;
            value = (value * (ulong)radix) + (ulong)d;
        }
        return true;
    }
}
