using System.Text;

namespace Calico.Felix.Rules.Planning;

/// <summary>
/// The <c>nft -f</c> sink of an <see cref="NftPlan"/>: one script, applied by nft as one netlink batch. The
/// fallback when the netlink sink cannot encode a step; also what logs and golden files show.
/// </summary>
public static class NftScript
{
    private const string Table = "inet " + NftNames.TableName;

    /// <summary>
    /// The script for <paramref name="plan"/>; "" when it is empty. A full replacement is the table's whole text
    /// (<see cref="NftTable.ToFullTransaction"/>: the leading <c>table</c> line lets the delete succeed on a host
    /// without the table).
    /// </summary>
    public static string From(NftPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsFullReplacement)
        {
            return plan.Next.ToFullTransaction();
        }

        var sb = new StringBuilder();
        foreach (NftStep step in plan.Steps)
        {
            Append(sb, step);
        }

        return sb.ToString();
    }

    /// <summary>An element as the step names it: whole when added, by its key when deleted from a map.</summary>
    internal static string ElementText(NftStep step, NftElement element) =>
        step.Kind == NftStepKind.DeleteElements && element.Value is not null ? element.Key.Text : element.Text;

    private static void Append(StringBuilder sb, NftStep step)
    {
        switch (step.Kind)
        {
            case NftStepKind.ReplaceTable:
                sb.Append("table ").Append(Table).Append('\n');
                sb.Append("delete table ").Append(Table).Append('\n');
                sb.Append("add table ").Append(Table).Append('\n');
                break;
            case NftStepKind.AddSet:
                sb.Append("add ").Append(step.Set!.Keyword).Append(' ').Append(Table).Append(' ').Append(step.Name).Append(" { ");
                foreach (string line in step.Set.Declaration)
                {
                    sb.Append(line).Append("; ");
                }

                sb.Append("}\n");
                break;
            case NftStepKind.AddElements:
            case NftStepKind.DeleteElements:
                sb.Append(step.Kind == NftStepKind.AddElements ? "add" : "delete").Append(" element ").Append(Table).Append(' ').Append(step.Name).Append(" { ");
                for (int i = 0; i < step.Elements!.Count; i++)
                {
                    sb.Append(ElementText(step, step.Elements[i])).Append(i + 1 < step.Elements.Count ? ", " : " ");
                }

                sb.Append("}\n");
                break;
            case NftStepKind.AddChain:
                sb.Append("add chain ").Append(Table).Append(' ').Append(step.Name);
                if (step.Chain!.Header is not null)
                {
                    sb.Append(" { ").Append(step.Chain.Header.Text).Append(" }");
                }

                sb.Append('\n');
                break;
            case NftStepKind.FlushChain:
                sb.Append("flush chain ").Append(Table).Append(' ').Append(step.Name).Append('\n');
                break;
            case NftStepKind.AddRule:
                sb.Append("add rule ").Append(Table).Append(' ').Append(step.Name).Append(' ').Append(step.Rule!.Text).Append('\n');
                break;
            case NftStepKind.DeleteChain:
                sb.Append("delete chain ").Append(Table).Append(' ').Append(step.Name).Append('\n');
                break;
            case NftStepKind.DeleteSet:
                sb.Append("delete ").Append(step.Set?.Keyword ?? "set").Append(' ').Append(Table).Append(' ').Append(step.Name).Append('\n');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "unknown step kind");
        }
    }
}
