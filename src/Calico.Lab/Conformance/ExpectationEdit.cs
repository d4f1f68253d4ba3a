using System.Diagnostics.CodeAnalysis;

namespace Calico.Lab.Conformance;

/// <summary>
/// One line of an expectation: <c>deny A -> B</c> or <c>allow A -> B</c>, where A and B are <c>*</c>,
/// <c>ns/*</c>, <c>*/name</c> or <c>ns/name</c>. Edits apply in order over "everything allowed".
/// </summary>
public sealed record ExpectationEdit(bool Allow, PodPattern From, PodPattern To)
{
    public static bool TryParse(string text, [NotNullWhen(true)] out ExpectationEdit? edit, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        edit = null;
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 4 || words[2] != "->")
        {
            error = $"expectation '{text}' is not 'allow|deny A -> B'";
            return false;
        }

        bool allow;
        switch (words[0].ToLowerInvariant())
        {
            case "allow":
                allow = true;
                break;
            case "deny":
                allow = false;
                break;
            default:
                error = $"expectation '{text}': '{words[0]}' is neither allow nor deny";
                return false;
        }

        if (!PodPattern.TryParse(words[1], out var from))
        {
            error = $"expectation '{text}': '{words[1]}' is not *, ns/*, */name or ns/name";
            return false;
        }

        if (!PodPattern.TryParse(words[3], out var to))
        {
            error = $"expectation '{text}': '{words[3]}' is not *, ns/*, */name or ns/name";
            return false;
        }

        edit = new ExpectationEdit(allow, from, to);
        error = null;
        return true;
    }

    /// <summary>The expected matrix: all allowed, then every edit in order. Diagonal cells are null (not judged).</summary>
    public static bool?[,] Expected(IReadOnlyList<PodRef> pods, IReadOnlyList<ExpectationEdit> edits)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(edits);
        var n = pods.Count;
        var cells = new bool?[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                cells[i, j] = i == j ? null : true;
            }
        }

        foreach (var edit in edits)
        {
            for (var i = 0; i < n; i++)
            {
                if (!edit.From.Matches(pods[i]))
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    if (i != j && edit.To.Matches(pods[j]))
                    {
                        cells[i, j] = edit.Allow;
                    }
                }
            }
        }

        return cells;
    }

    public override string ToString() => $"{(Allow ? "allow" : "deny")} {From} -> {To}";
}
