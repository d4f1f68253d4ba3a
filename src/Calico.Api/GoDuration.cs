using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Calico.Api;

/// <summary>
/// Go's <c>time.ParseDuration</c>, exactly: what upstream accepts for every <c>metav1.Duration</c> field
/// (FelixConfiguration intervals, BGP timers, kube-controllers periods). A possibly signed sequence of
/// decimal numbers, each with an optional fraction and a unit (<c>ns</c>, <c>us</c>, <c>µs</c>, <c>ms</c>,
/// <c>s</c>, <c>m</c>, <c>h</c>), such as "300ms", "-1.5h" or "2h45m"; a bare "0" is zero. The result is
/// an int64 count of nanoseconds, so anything beyond ±292 years is an overflow error, as in Go.
/// Error texts are Go's (<c>time: invalid duration "abc"</c>).
/// </summary>
public static class GoDuration
{
    private const ulong Overflow = 1UL << 63;

    /// <summary>Parses <paramref name="text"/>; false when Go would return an error.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out long nanoseconds) => TryParse(text, out nanoseconds, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> is Go's error text.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out long nanoseconds, [NotNullWhen(false)] out string? error)
    {
        nanoseconds = 0;
        if (text is null)
        {
            error = "time: invalid duration \"\"";
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (!s.IsEmpty && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        // Go's special case: "0" alone (after the sign) needs no unit.
        if (s is "0")
        {
            error = null;
            return true;
        }

        if (s.IsEmpty)
        {
            error = Invalid(text);
            return false;
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = Invalid(text);
                return false;
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                error = Invalid(text);
                return false;
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var afterDot = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = afterDot != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                // No digits at all, e.g. ".s" or "-.s".
                error = Invalid(text);
                return false;
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = "time: missing unit in duration " + Quote(text);
                return false;
            }

            var unitText = s[..unitLength];
            s = s[unitLength..];
            if (!TryUnit(unitText, out var unit))
            {
                error = "time: unknown unit " + Quote(unitText.ToString()) + " in duration " + Quote(text);
                return false;
            }

            if (whole > Overflow / unit)
            {
                error = Invalid(text);
                return false;
            }

            whole *= unit;
            if (fraction > 0)
            {
                // A double is exact enough here: fraction * unit / scale is at most 3.6e12 (ns in an hour).
                whole += (ulong)(fraction * (unit / scale));
                if (whole > Overflow)
                {
                    error = Invalid(text);
                    return false;
                }
            }

            total += whole;
            if (total > Overflow)
            {
                error = Invalid(text);
                return false;
            }
        }

        if (negative)
        {
            nanoseconds = unchecked(-(long)total);
            error = null;
            return true;
        }

        if (total > long.MaxValue)
        {
            error = Invalid(text);
            return false;
        }

        nanoseconds = (long)total;
        error = null;
        return true;
    }

    /// <summary>The duration as a <see cref="TimeSpan"/> (100 ns ticks; the sub-tick remainder is dropped, toward zero).</summary>
    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    private static bool TryUnit(ReadOnlySpan<char> unit, out ulong nanoseconds)
    {
        nanoseconds = unit switch
        {
            "ns" => 1,
            "us" or "\u00b5s" or "\u03bcs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => 0,
        };
        return nanoseconds != 0;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > Overflow / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > Overflow)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    // Only for fractions: on overflow it stops adding precision instead of failing, as Go does.
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflowed = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflowed)
            {
                continue;
            }

            if (value > (Overflow - 1) / 10)
            {
                overflowed = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > Overflow)
            {
                overflowed = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    private static string Invalid(string text) => "time: invalid duration " + Quote(text);

    // Go's strconv.Quote, for the characters an operator is likely to type.
    private static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
