namespace Calico.Nftables;

/// <summary>What a table, chain or set name may hold so it needs no quoting in nft text.</summary>
public static class NftNameRules
{
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/';

    public static bool IsName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static void ThrowIfBadName(string? name, string parameter)
    {
        if (!IsName(name))
        {
            throw new ArgumentException($"'{name}' is not a name nft takes unquoted", parameter);
        }
    }
}
