using Calico.Api;

namespace Calico.Felix.Config;

/// <summary>A parameter of value type <typeparamref name="T"/>.</summary>
internal sealed class FelixParam<T> : FelixParam
{
    private readonly Func<string, Parsed<T>> _parse;
    private readonly Action<FelixConfig, T> _set;
    private readonly bool _hasZero;
    private readonly T _zero;

    public FelixParam(
        string name,
        string defaultRaw,
        Func<string, Parsed<T>> parse,
        Action<FelixConfig, T> set,
        ParamFlags flags,
        string? apiField,
        Func<FelixConfigurationSpec, string?>? fromSpec,
        bool hasZero,
        T zero)
        : base(name, defaultRaw, flags, apiField, fromSpec)
    {
        _parse = parse;
        _set = set;
        _hasZero = hasZero;
        _zero = zero;
    }

    public override string? TryApply(FelixConfig config, string raw)
    {
        var parsed = _parse(raw);
        if (!parsed.Ok)
            return parsed.Error;
        _set(config, parsed.Value);
        return null;
    }

    public override string? TryApplyZero(FelixConfig config)
    {
        if (IsNonZero)
            return "may not be 'none'";
        return ApplyZero(config);
    }

    protected override string? ApplyZero(FelixConfig config)
    {
        if (!_hasZero)
            return "has no 'none' value";
        _set(config, _zero);
        return null;
    }
}
