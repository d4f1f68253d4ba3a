namespace Calico.Api.Support;

/// <summary>What a field does in this implementation. Written in docs and messages as <c>acts</c>, <c>refused</c>, <c>ignored</c>.</summary>
public enum SupportStatus
{
    /// <summary>Some code reads the field and acts on it.</summary>
    Acts,

    /// <summary>Not implemented, and not harmless to leave out: calicoctl refuses a non-default value, calico-node reports it.</summary>
    Refused,

    /// <summary>Tuning of a part upstream has and we do not: stored, a warning at apply time, no effect.</summary>
    Ignored,
}
