using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>A step: actions in order, then (when present) the expected reachability for each probe as edits.</summary>
public sealed record CaseStep(int Number, IReadOnlyList<StepAction> Actions, IReadOnlyDictionary<Probe, IReadOnlyList<ExpectationEdit>>? Expect)
{
    /// <summary>"step 2 (labelPods)" for messages.</summary>
    public string Describe()
    {
        var names = Actions.Select(a => a switch
        {
            ApplyAction => "apply",
            DeleteAction => "delete",
            LabelAction { Namespaces: true } => "labelNamespaces",
            _ => "labelPods",
        });
        var list = string.Join(", ", names);
        return list.Length == 0 ? $"step {Number}" : $"step {Number} ({list})";
    }
}
