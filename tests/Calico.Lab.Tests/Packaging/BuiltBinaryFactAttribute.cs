namespace Calico.Lab.Tests.Packaging;

/// <summary>
/// A fact that needs a binary in the test output directory (a referenced project's apphost). When it is missing the
/// test is skipped saying so, except with CI=true, where a missing binary is a broken build and the test runs (and
/// fails naming it). xunit 2 reads Skip from the attribute instance, so the check happens at discovery.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BuiltBinaryFactAttribute : FactAttribute
{
    public BuiltBinaryFactAttribute(string binary)
    {
        Binary = binary;
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !File.Exists(Path.Combine(AppContext.BaseDirectory, binary)))
        {
            Skip = $"{binary} is not in the test output ({AppContext.BaseDirectory}): its project is not built";
        }
    }

    public string Binary { get; }
}
