namespace Calico.Lab.Conformance;

/// <summary>One action of a step, run in the order the step's keys are written.</summary>
public abstract record StepAction;

/// <summary>A multi-document YAML stream applied as <c>calicoctl apply -f -</c> would, after placeholders are resolved.</summary>
public sealed record ApplyAction(string Yaml) : StepAction;

/// <summary><c>Kind ns/name</c> or <c>Kind name</c> entries.</summary>
public sealed record DeleteAction(IReadOnlyList<string> Entries) : StepAction;

/// <summary>Labels to set on pods (<c>ns/name</c>) or namespaces (by name); a value replaces an existing one.</summary>
public sealed record LabelAction(bool Namespaces, IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, string>>> Targets) : StepAction;
