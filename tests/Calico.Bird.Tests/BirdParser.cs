using Calico.TestKit;

namespace Calico.Bird.Tests;

/// <summary>Runs the real <c>bird -p -c file</c> (parse only): a rendered configuration must be one BIRD accepts.</summary>
internal static class BirdParser
{
    public static (bool Ok, string Output) Check(string configText)
    {
        var bird = Prerequisites.Require("bird");
        using var dir = new TempDirectory("calico-bird-parse");
        var file = dir.File("bird.cfg");
        File.WriteAllText(file, configText);
        var (exit, output, error) = IpTool.RunProcess(bird, ["-p", "-c", file], throwOnError: false);
        return (exit == 0, output + error);
    }
}
