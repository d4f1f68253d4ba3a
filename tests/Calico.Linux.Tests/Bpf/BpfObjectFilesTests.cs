using Calico.Linux.Bpf;

namespace Calico.Linux.Tests.Bpf;

[Trait("Tier", "Unit")]
public sealed class BpfObjectFilesTests
{
    [Fact]
    public void Resolve_WithoutOverride_IsTheBpfDirectoryBesideTheExecutable() =>
        Assert.Equal("/usr/lib/calico/bpf", BpfObjectFiles.Resolve(null, "/usr/lib/calico/"));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Resolve_WithABlankOverride_IgnoresIt(string blank) =>
        Assert.Equal("/opt/x/bpf", BpfObjectFiles.Resolve(blank, "/opt/x"));

    [Fact]
    public void Resolve_WithAnOverride_UsesItAsAFullPath() =>
        Assert.Equal("/var/lib/calico/bpf-objects", BpfObjectFiles.Resolve("/var/lib/calico/./bpf-objects", "/usr/lib/calico"));

    [Theory]
    [InlineData("calico_tc")]
    [InlineData("count-and-drop-udp2")]
    public void ValidateName_PlainNames_Pass(string name) => BpfObjectFiles.ValidateName(name);

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("calico_tc.o")]
    [InlineData("a b")]
    public void ValidateName_PathsAndOddNames_AreRefusedNamingThem(string name) =>
        Assert.Contains($"'{name}'", Assert.Throws<ArgumentException>(() => BpfObjectFiles.ValidateName(name)).Message, StringComparison.Ordinal);

    [Fact]
    public void Path_OfAMissingObject_NamesTheFileAndTheOverride()
    {
        var error = Assert.Throws<FileNotFoundException>(() => BpfObjectFiles.Path("no_such_program"));
        Assert.Contains("no_such_program.o", error.Message, StringComparison.Ordinal);
        Assert.Contains("bpf/no_such_program.c", error.Message, StringComparison.Ordinal);
    }
}
