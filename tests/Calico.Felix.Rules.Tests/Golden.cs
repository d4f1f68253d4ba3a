using System.Runtime.CompilerServices;

namespace Calico.Felix.Rules.Tests;

/// <summary>Golden files under testdata/&lt;case&gt;/, rewritten only when UPDATE_GOLDEN=1.</summary>
internal static class Golden
{
    public static string TestDataDirectory { get; } = Locate();

    public static bool Updating =>
        string.Equals(Environment.GetEnvironmentVariable("UPDATE_GOLDEN"), "1", StringComparison.Ordinal);

    public static string PathOf(string caseName, string file) => Path.Combine(TestDataDirectory, caseName, file);

    public static void Check(string caseName, string file, string actual)
    {
        string path = PathOf(caseName, file);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests with UPDATE_GOLDEN=1 and review the new file");
        Assert.Equal(File.ReadAllText(path), actual, ignoreLineEndingDifferences: false);
    }

    private static string Locate([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata");
}
