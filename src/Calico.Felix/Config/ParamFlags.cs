namespace Calico.Felix.Config;

/// <summary>Upstream's per-parameter flags (the third part of a <c>config:"type;default;flags"</c> tag).</summary>
[Flags]
internal enum ParamFlags
{
    None = 0,

    /// <summary>Only from environment or config file; ignored (with a warning) from the datastore.</summary>
    Local = 1,

    /// <summary>May not be set to <c>none</c>.</summary>
    NonZero = 2,

    /// <summary>Upstream Felix exits on an invalid value.</summary>
    DieOnFail = 4,
}
