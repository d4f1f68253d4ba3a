using System.Collections.Immutable;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// One rule: statements in order, at most one verdict (last), and an optional comment (rule userdata in the kernel).
/// Immutable; two rules are equal when their nft <see cref="Text"/> is (the text is canonical for the model).
/// </summary>
public sealed class NftRule : IEquatable<NftRule>
{
    public NftRule(IEnumerable<NftStatement> statements, string? comment = null)
    {
        Statements = [.. statements];
        if (Statements.IsEmpty)
        {
            throw new ArgumentException("a rule needs a statement", nameof(statements));
        }

        for (int i = 0; i + 1 < Statements.Length; i++)
        {
            if (Statements[i].IsTerminal)
            {
                throw new ArgumentException($"statement '{Statements[i + 1]}' after the verdict", nameof(statements));
            }
        }

        if (comment is not null && comment.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("a comment cannot hold a quote", nameof(comment));
        }

        Comment = comment;
    }

    // Built on first use: the netlink path encodes the statements and may never need it.
    private string? _text;

    public ImmutableArray<NftStatement> Statements { get; }

    /// <summary>The <c>comment "..."</c> text, or null.</summary>
    public string? Comment { get; }

    /// <summary>The rule as <c>nft</c> text (what follows <c>add rule inet calico chain</c>).</summary>
    public string Text => _text ??= BuildText();

    /// <summary>Whether a statement looks up the named set or map <paramref name="setName"/>.</summary>
    public bool References(string setName)
    {
        foreach (NftStatement statement in Statements)
        {
            if ((statement is NftMatch { Value: NftSetReference set } && set.Name == setName)
                || (statement is NftVerdictMap map && map.Map == setName))
            {
                return true;
            }
        }

        return false;
    }

    private string BuildText()
    {
        StringBuilder sb = TextBuffer.Rent();
        for (int i = 0; i < Statements.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            Statements[i].WriteTo(sb);
        }

        if (Comment is not null)
        {
            sb.Append(" comment \"").Append(Comment).Append('"');
        }

        return TextBuffer.ToStringAndReturn(sb);
    }

    public bool Equals(NftRule? other) => ReferenceEquals(this, other) || (other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as NftRule);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;

    public static bool operator ==(NftRule? left, NftRule? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(NftRule? left, NftRule? right) => !(left == right);
}
