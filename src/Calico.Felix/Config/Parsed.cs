namespace Calico.Felix.Config;

/// <summary>Outcome of parsing one raw value: the value, or the reason it was rejected.</summary>
internal readonly record struct Parsed<T>(bool Ok, T Value, string Error)
{
    public static Parsed<T> Success(T value) => new(true, value, "");

    public static Parsed<T> Failure(string error) => new(false, default!, error);
}
