using System.Globalization;

namespace Calico.Ctl.Output;

/// <summary>How Go's fmt prints values in calicoctl's table templates.</summary>
internal static class GoFormat
{
    /// <summary>
    /// A float64 as <c>%v</c> prints it: shortest round-trip digits, exponent form when the decimal
    /// exponent is below -4 or at least 6 (so the default tier's order 1000000 prints as <c>1e+06</c>).
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return "0";
        }

        // "E16" gives the exponent reliably; the digits come from the shortest round-trip form.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var check = Math.Abs(value) / Math.Pow(10, exponent);
        if (check >= 10)
        {
            exponent++;
        }
        else if (check < 1)
        {
            exponent--;
        }

        if (exponent < -4 || exponent >= 6)
        {
            var digits = Digits(shortest);
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var sign = value < 0 ? "-" : "";
            var expSign = exponent < 0 ? "-" : "+";
            return $"{sign}{mantissa}e{expSign}{Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)}";
        }

        return value.ToString("0.###############", CultureInfo.InvariantCulture);
    }

    /// <summary>The significant digits of a formatted number, without sign, point, exponent or padding zeros.</summary>
    private static string Digits(string formatted)
    {
        var e = formatted.IndexOfAny(['E', 'e']);
        var mantissa = e >= 0 ? formatted[..e] : formatted;
        var digits = mantissa.Replace("-", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        digits = digits.TrimEnd('0');
        return digits.Length == 0 ? "0" : digits;
    }
}
