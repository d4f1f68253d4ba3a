using System.Globalization;

namespace Calico.Bird.Rendering;

/// <summary>Go's <c>time.ParseDuration</c> for the units BGP timers use ("120s", "2m", "1h30m", "1.5s").</summary>
internal static class GoDuration
{
    /// <summary>Whole seconds, rounded as upstream's <c>math.Round(d.Seconds())</c>; null when absent or invalid.</summary>
    public static int? ToRoundedSeconds(string? text) =>
        TryParseSeconds(text, out var seconds) ? (int)Math.Round(seconds, MidpointRounding.AwayFromZero) : null;

    public static bool TryParseSeconds(string? text, out double seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            double? scale = text.AsSpan(unitStart, i - unitStart) switch
            {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" => 1e-3,
                "us" or "µs" => 1e-6,
                "ns" => 1e-9,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            seconds += value * scale.Value;
        }

        return true;
    }
}
