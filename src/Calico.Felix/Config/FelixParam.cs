using Calico.Api;

namespace Calico.Felix.Config;

/// <summary>Metadata for one upstream parameter: name, code default, flags and where it sits in the v3 API.</summary>
internal abstract class FelixParam
{
    protected FelixParam(string name, string defaultRaw, ParamFlags flags, string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec)
    {
        Name = name;
        DefaultRaw = defaultRaw;
        Flags = flags;
        ApiField = apiField;
        FromSpec = fromSpec;
    }

    /// <summary>Upstream's name (<c>config_params.go</c> field), as used in <c>FELIX_*</c> and felix.cfg (case-insensitive).</summary>
    public string Name { get; }

    /// <summary>Upstream's code default as text; empty means the type's zero value.</summary>
    public string DefaultRaw { get; }

    public ParamFlags Flags { get; }

    public bool IsLocal => (Flags & ParamFlags.Local) != 0;

    public bool IsNonZero => (Flags & ParamFlags.NonZero) != 0;

    public bool DieOnFail => (Flags & ParamFlags.DieOnFail) != 0;

    /// <summary>JSON name in <c>FelixConfiguration.spec</c>, null when the API has no field (local-only).</summary>
    public string? ApiField { get; }

    /// <summary>Renders the spec field as upstream's raw text (what libcalico-go's update processor hands Felix).</summary>
    public Func<FelixConfigurationSpec, string?>? FromSpec { get; }

    /// <summary>Parses <paramref name="raw"/> and stores it; returns null on success or the error phrase.</summary>
    public abstract string? TryApply(FelixConfig config, string raw);

    /// <summary>Stores the zero value (upstream's <c>none</c>); returns null on success or the error phrase.</summary>
    public abstract string? TryApplyZero(FelixConfig config);

    /// <summary>Stores the type's zero value regardless of flags (an empty code default means zero).</summary>
    protected abstract string? ApplyZero(FelixConfig config);

    public void ApplyDefault(FelixConfig config)
    {
        var error = DefaultRaw.Length == 0 ? ApplyZero(config) : TryApply(config, DefaultRaw);
        if (error is not null)
            throw new InvalidOperationException($"Code default of {Name} ('{DefaultRaw}') does not parse: {error}");
    }
}
