namespace Calico.Lab.Conformance;

/// <summary>How a measured matrix prints each <see cref="ProbeOutcome"/>: one character per cell and the legend.</summary>
public static class ProbeOutcomeText
{
    /// <summary>The legend of a measured matrix's header.</summary>
    public const string Legend = ". allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route)";

    public static string Cell(ProbeOutcome? outcome) => outcome switch
    {
        null => "-",
        ProbeOutcome.Allowed => ".",
        ProbeOutcome.Denied => "X",
        ProbeOutcome.NotListening => "o",
        ProbeOutcome.Unreachable => "!",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>What a cell that is not allowed means, for a comparison's cell-by-cell explanation; null for allowed and denied.</summary>
    public static string? Explain(ProbeOutcome? outcome) => outcome switch
    {
        ProbeOutcome.NotListening => " [not listening: the destination refused (TCP reset or ICMP port unreachable), policy let it through]",
        ProbeOutcome.Unreachable => " [unreachable: ICMP host/network unreachable, a router on the path has no route]",
        _ => null,
    };
}
