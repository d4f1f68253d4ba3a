using Calico.Api;
using Calico.Api.Support;

namespace Calico.Ctl.Commands;

/// <summary>
/// The support matrix at apply time: a refused setting fails the resource like any validation error (nothing is
/// written); an ignored one lets it through with one warning line per field for the caller to print once written.
/// Values that are explicitly the default pass silently, so an export from an upstream cluster applies.
/// </summary>
internal static class SupportGate
{
    /// <returns>The refusal in calicoctl's validation shape, or null with the warnings to print.</returns>
    public static string? Check(Resource resource, out IReadOnlyList<string> warnings)
    {
        var findings = SupportMatrix.Check(resource);
        var refused = new List<FieldError>();
        var ignored = new List<string>();
        foreach (var finding in findings)
        {
            if (finding.Status == SupportStatus.Refused)
            {
                refused.Add(finding.ToFieldError());
            }
            else
            {
                ignored.Add(finding.Warning);
            }
        }

        warnings = ignored;
        return refused.Count > 0 ? new ValidationException(refused).Message : null;
    }
}
