using System.Globalization;
using System.Text;

namespace Calico.Felix.Rules.Planning;

/// <summary>
/// The ordered steps that turn the table the kernel holds into <see cref="Next"/> (see <see cref="NftPlanner"/>).
/// Sinks consume it as it is: a netlink transaction or an <c>nft -f</c> script (<see cref="NftScript"/>).
/// </summary>
public sealed class NftPlan
{
    internal NftPlan(NftTable next, bool isFullReplacement, IReadOnlyList<NftStep> steps, string? fullReplacementReason)
    {
        Next = next;
        IsFullReplacement = isFullReplacement;
        Steps = steps;
        FullReplacementReason = fullReplacementReason;
    }

    /// <summary>The table the plan leads to.</summary>
    public NftTable Next { get; }

    /// <summary>The plan starts with <see cref="NftStepKind.ReplaceTable"/> and declares everything of <see cref="Next"/>.</summary>
    public bool IsFullReplacement { get; }

    /// <summary>Why the whole table is replaced (first apply, a base chain's hook changed); null for a delta.</summary>
    public string? FullReplacementReason { get; }

    public IReadOnlyList<NftStep> Steps { get; }

    /// <summary>Nothing to do: the kernel already holds <see cref="Next"/>.</summary>
    public bool IsEmpty => Steps.Count == 0;

    /// <summary>One line per step, for golden files and logs.</summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        foreach (NftStep step in Steps)
        {
            sb.Append(step.Kind switch
            {
                NftStepKind.ReplaceTable => "replace table",
                NftStepKind.AddSet => "add " + step.Set!.Keyword,
                NftStepKind.DeleteElements => "delete elements",
                NftStepKind.AddElements => "add elements",
                NftStepKind.AddChain => step.Chain!.Header is null ? "add chain" : "add base chain",
                NftStepKind.FlushChain => "flush chain",
                NftStepKind.AddRule => "add rule",
                NftStepKind.DeleteChain => "delete chain",
                NftStepKind.DeleteSet => "delete " + (step.Set?.Keyword ?? "set"),
                _ => step.Kind.ToString(),
            });
            sb.Append(' ').Append(step.Name);
            switch (step.Kind)
            {
                case NftStepKind.AddSet:
                    sb.Append(" { ").AppendJoin("; ", step.Set!.Declaration).Append(" }");
                    break;
                case NftStepKind.AddChain when step.Chain!.Header is not null:
                    sb.Append(" { ").Append(step.Chain.Header.Text).Append(" }");
                    break;
                case NftStepKind.AddRule:
                    sb.Append(": ").Append(step.Rule!.Text);
                    break;
                case NftStepKind.AddElements:
                case NftStepKind.DeleteElements:
                    sb.Append(CultureInfo.InvariantCulture, $" ({step.Elements!.Count}): ");
                    for (int i = 0; i < step.Elements.Count; i++)
                    {
                        sb.Append(i == 0 ? "" : ", ").Append(NftScript.ElementText(step, step.Elements[i]));
                    }

                    break;
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
