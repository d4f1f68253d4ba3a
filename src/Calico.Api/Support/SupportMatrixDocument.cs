using System.Text;

namespace Calico.Api.Support;

/// <summary>docs/support-matrix.md, generated from <see cref="SupportMatrix.All"/> (a test keeps the checked-in file equal).</summary>
public static class SupportMatrixDocument
{
    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("# Support matrix\n\n");
        text.Append("<!-- Generated from src/Calico.Api/Support/SupportMatrix.Rows.cs by tests/Calico.Api.Tests (SupportMatrixTests);\n");
        text.Append("     refresh with UPDATE_SUPPORT_MATRIX=1 dotnet test tests/Calico.Api.Tests --filter SupportMatrix. Do not edit by hand. -->\n\n");
        text.Append("What every field of every kind does in this implementation:\n\n");
        text.Append("- **acts**: some code reads it and acts on it.\n");
        text.Append("- **refused**: not implemented, and not harmless to leave out. `calicoctl create/apply/replace/patch/validate` refuses a\n");
        text.Append("  value other than the default or empty; calico-node, which may read such data written by other means, logs it once,\n");
        text.Append("  counts it in `felix_unsupported_settings{kind,name,field}` and shows it on `/readiness` (rows marked *not ready*\n");
        text.Append("  make the node not ready; the others only degrade it). Everything else keeps being enforced.\n");
        text.Append("- **ignored**: tuning of a part upstream has and we do not: stored, one warning line per field at apply time, no effect.\n\n");
        text.Append("A field without its own row follows the nearest row above it (`metadata` covers every metadata field).\n\n");

        var counts = new int[3];
        foreach (var row in SupportMatrix.All)
        {
            counts[(int)row.Status]++;
        }

        text.Append($"Rows: {SupportMatrix.All.Count} ({counts[0]} acts, {counts[1]} refused, {counts[2]} ignored).\n");

        string? kind = null;
        foreach (var row in SupportMatrix.All)
        {
            if (row.Kind != kind)
            {
                kind = row.Kind;
                text.Append("\n## ").Append(kind).Append("\n\n");
                text.Append("| field | status | value | why |\n|---|---|---|---|\n");
            }

            var status = FieldSupport.StatusText(row.Status) + (row.BlocksReadiness ? " (not ready)" : "");
            var value = row.WhenAbsent ? "missing" : row.Values is { } values ? string.Join(", ", values) : "";
            text.Append("| `").Append(row.DisplayPath).Append("` | ").Append(status).Append(" | ").Append(value).Append(" | ")
                .Append(row.Reason.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }

        return text.ToString();
    }
}
