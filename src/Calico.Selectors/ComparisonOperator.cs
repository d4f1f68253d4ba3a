namespace Calico.Selectors;

/// <summary>The operators of <see cref="LabelComparisonNode"/>.</summary>
public enum ComparisonOperator
{
    /// <summary><c>==</c>; false when the label is absent.</summary>
    Equal,

    /// <summary><c>!=</c>; <b>true</b> when the label is absent.</summary>
    NotEqual,

    /// <summary><c>contains</c>; false when the label is absent.</summary>
    Contains,

    /// <summary><c>starts with</c> (or <c>startswith</c>); false when the label is absent.</summary>
    StartsWith,

    /// <summary><c>ends with</c> (or <c>endswith</c>); false when the label is absent.</summary>
    EndsWith,
}
