namespace Calico.Selectors;

/// <summary>
/// Orders strings by Unicode code point, which is the UTF-8 byte order Go's sort uses. Plain
/// ordinal (UTF-16) order differs only for surrogate pairs against U+E000..U+FFFF, but the
/// canonical string (and so the UID) depends on the order of <c>in</c> sets.
/// </summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static CodePointComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return Rank(x[i]) - Rank(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    // Moves surrogates above the rest of the BMP, matching code point order.
    private static int Rank(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
