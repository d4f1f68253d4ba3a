namespace Calico.Api.Serialization;

/// <summary>
/// go-yaml's map key order: rune by rune; letters after non-letters; runs of digits compared as numbers
/// (so "a2" sorts before "a10").
/// </summary>
internal sealed class GoYamlKeyComparer : IComparer<string>
{
    public static GoYamlKeyComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        if (Less(x, y))
            return -1;
        return Less(y, x) ? 1 : 0;
    }

    private static bool Less(string a, string b)
    {
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            if (a[i] == b[i])
                continue;
            var aLetter = char.IsLetter(a[i]);
            var bLetter = char.IsLetter(b[i]);
            if (aLetter && bLetter)
                return a[i] < b[i];
            if (aLetter || bLetter)
                return bLetter;
            long an = 0, bn = 0;
            if (a[i] == '0' || b[i] == '0')
            {
                // A digit run already under way with a non-zero digit keeps leading zeros significant.
                for (var j = i - 1; j >= 0 && char.IsAsciiDigit(a[j]); j--)
                {
                    if (a[j] != '0')
                    {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            int ai, bi;
            for (ai = i; ai < a.Length && char.IsAsciiDigit(a[ai]); ai++)
                an = (an * 10) + (a[ai] - '0');
            for (bi = i; bi < b.Length && char.IsAsciiDigit(b[bi]); bi++)
                bn = (bn * 10) + (b[bi] - '0');
            if (an != bn)
                return an < bn;
            if (ai != bi)
                return ai < bi;
            return a[i] < b[i];
        }
        return a.Length < b.Length;
    }
}
