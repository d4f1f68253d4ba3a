namespace Calico.Bird.Tests;

[Trait("Tier", "Root")]
public sealed class BirdConfigRendererGoldenTests
{
    public static TheoryData<string> Cases() => new(GoldenCase.Names());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_GoldenCase_MatchesExpectedAndParsesInBird(string name)
    {
        var rendered = BirdConfigRenderer.Render(GoldenCase.Load(name));
        var expectedPath = Path.Combine(GoldenCase.Directory(), name, "expected.cfg");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, rendered);
        }

        Assert.Equal(File.ReadAllText(expectedPath), rendered);
        var (ok, output) = BirdParser.Check(rendered);
        Assert.True(ok, $"bird -p rejected {name}: {output}");
    }

    [Fact]
    public void Render_WithLogFile_ParsesInBird()
    {
        using var dir = new Calico.TestKit.TempDirectory("calico-bird-log");
        var rendered = BirdConfigRenderer.Render(GoldenCase.Load("communities") with { LogFile = dir.File("bird.log") });
        var (ok, output) = BirdParser.Check(rendered);
        Assert.True(ok, output);
    }

    [Fact]
    public void Render_SameInputs_SameText()
    {
        var inputs = GoldenCase.Load("node-specific-peer");
        Assert.Equal(BirdConfigRenderer.Render(inputs), BirdConfigRenderer.Render(inputs));
    }
}
