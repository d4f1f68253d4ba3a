namespace Calico.Node.Startup;

/// <summary>Reading start-up variables: unset and empty are the same, bad values name the variable and the value.</summary>
internal static class EnvironmentValues
{
    public static string? Get(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out string? value) && value.Length > 0 ? value : null;

    /// <summary>
    /// Upstream's <c>evaluateENVBool</c> words (true/false, 1/0, yes/no, y/n, t/f, any case); where upstream reads any
    /// other word as true, it is refused here, so a typo never turns a setting on.
    /// </summary>
    public static bool Bool(IReadOnlyDictionary<string, string> environment, string name, bool defaultValue)
    {
        string? value = Get(environment, name);
        return value?.Trim().ToLowerInvariant() switch
        {
            null => defaultValue,
            "true" or "1" or "yes" or "y" or "t" => true,
            "false" or "0" or "no" or "n" or "f" => false,
            _ => throw Bad(name, value, "expected true or false"),
        };
    }

    public static ArgumentException Bad(string name, string value, string reason) =>
        new($"calico-node: {name}='{value}' is not valid: {reason}");
}
