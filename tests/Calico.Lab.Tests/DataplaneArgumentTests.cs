using Calico.Api;
using Calico.Datastore;
using Calico.Client;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// <c>up --dataplane nftables|bpf</c> and <c>conformance --cluster --dataplane</c>: the value is checked before
/// anything is made, recorded in lab.json and shown by <c>up</c> and <c>status</c>; with bpf, calico-node's program
/// objects are checked up front and FelixConfiguration default gets <c>bpfEnabled: true</c>, keeping its other settings.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class DataplaneArgumentTests
{
    [Fact]
    public void UpOptions_DefaultDataplane_IsNftables()
    {
        Assert.Equal(UpOptions.DataplaneNftables, new UpOptions().Dataplane);
        Assert.False(new UpOptions().Bpf);
        Assert.True(new UpOptions { Dataplane = UpOptions.DataplaneBpf }.Bpf);
        new UpOptions { Dataplane = UpOptions.DataplaneBpf }.Validate();
    }

    [Theory]
    [InlineData("ebpf")]
    [InlineData("BPF")]
    [InlineData("")]
    public async Task Up_BadDataplane_RefusedNamingTheFlagAndValue(string dataplane)
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--dataplane", dataplane);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal($"calico-lab up: --dataplane '{dataplane}' is not nftables or bpf\n", outcome.Error);
        Assert.False(Directory.Exists(lab.StateDir));
    }

    [Fact]
    public async Task Up_DataplaneWithoutValue_Refused()
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--dataplane");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("calico-lab up: --dataplane needs a value\n", outcome.Error);
    }

    [Fact]
    public async Task Up_BpfWithoutNode_Refused()
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--dataplane", "bpf", "--no-node");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith("calico-lab up: --dataplane bpf needs calico-node", outcome.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(lab.StateDir));
    }

    [Fact]
    public async Task Conformance_BadDataplane_RefusedNamingTheValue()
    {
        var outcome = await ConformanceAsync("--cluster", "--dataplane", "xdp", "cases");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith("calico-lab conformance: --dataplane 'xdp' is not nftables or bpf", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conformance_DataplaneOnTheEngine_RefusedAsMeaningless()
    {
        var outcome = await ConformanceAsync("--dataplane", "bpf", "cases");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith("calico-lab conformance: --dataplane 'bpf' needs --cluster", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_LabNotUp_SaysSo()
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("status");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith($"calico-lab status: lab '{lab.Name}' is not up", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void StateFile_DataplaneAndBpfRoot_RoundTrip_OldFileReadsAsNftables()
    {
        using var dir = new TempDirectory("lab-state");
        var layout = LabLayout.Create("t", dir.File("state"));
        Directory.CreateDirectory(layout.StateDir);
        LabStateFile.Save(layout, new LabState
        {
            Name = "t",
            Dataplane = UpOptions.DataplaneBpf,
            Hosts = [new LabHost { Name = "host1", Directory = layout.HostDir("host1"), BpfRoot = LabBpf.Root(layout.HostDir("host1")) }],
        });

        var loaded = LabStateFile.Load(layout);
        Assert.Equal("bpf", loaded.Dataplane);
        Assert.Equal(Path.Combine(layout.StateDir, "host1", "bpffs"), loaded.Hosts[0].BpfRoot);

        // A lab.json from before --dataplane: no field, nftables (the only dataplane then); hosts without a bpffs.
        File.WriteAllText(layout.StateFile, """{"name": "t", "hosts": [{"name": "host1"}]}""");
        var old = LabStateFile.Load(layout);
        Assert.Equal("nftables", old.Dataplane);
        Assert.Null(old.Hosts[0].BpfRoot);
    }

    [Fact]
    public void Summary_ShowsDataplaneAndEachHostsBpffs()
    {
        var layout = LabLayout.Create("t", "/tmp/t-state");
        var state = new LabState
        {
            Name = "t",
            Dataplane = UpOptions.DataplaneBpf,
            Encapsulation = UpOptions.EncapsulationVxlanCrossSubnet,
            Hosts = [new LabHost { Name = "host1", Netns = "t-host1", Directory = "/tmp/t-state/host1", BpfRoot = "/tmp/t-state/host1/bpffs" }],
        };

        var summary = LabUp.Summary(layout, state);

        Assert.Contains("datastore embedded, dataplane bpf, state in /tmp/t-state", summary, StringComparison.Ordinal);
        Assert.Contains("bpffs /tmp/t-state/host1/bpffs", summary, StringComparison.Ordinal);
        state.Dataplane = UpOptions.DataplaneNftables;
        state.Hosts[0].BpfRoot = null;
        Assert.DoesNotContain("bpffs", LabUp.Summary(layout, state), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckObjects_MissingObject_NamesThePathAndWhereItLooked()
    {
        using var dir = new TempDirectory("lab-bpf");
        var e = Assert.Throws<LabException>(() => LabBpf.CheckObjects(dir.Path, null));
        Assert.Equal(
            $"--dataplane bpf: BPF program object {Path.Combine(dir.Path, "bpf", "calico_tc.o")} not found (calico-node in {dir.Path} loads its programs from bpf/ beside it; set CALICO_BPF_DIR to look elsewhere); ./build.sh compiles bpf/calico_tc.c into out/bin/bpf/, a build of calico-node into bpf/ beside it",
            e.Message);

        var overridden = Assert.Throws<LabException>(() => LabBpf.CheckObjects("/nonexistent", dir.Path));
        Assert.Contains($"{Path.Combine(dir.Path, "calico_tc.o")} not found (CALICO_BPF_DIR={dir.Path})", overridden.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckObjects_TheTestBuild_CarriesThemBesideCalicoNode()
    {
        // The lab finds calico-node here in tests (Binaries): its objects must have come along.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, Binaries.Node)), "calico-node beside the tests");
        LabBpf.CheckObjects(AppContext.BaseDirectory, null);

        using var dir = new TempDirectory("lab-bpf");
        File.WriteAllText(Path.Combine(dir.Path, "calico_tc.o"), "");
        LabBpf.CheckObjects("/nonexistent", dir.Path);
    }

    [Fact]
    public async Task Enable_CreatesDefault_OrSetsBpfEnabledKeepingOtherSettings()
    {
        using var dir = new TempDirectory("lab-fc");
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = dir.File("calico.db") });
        var client = new ResourceClient(store, TimeProvider.System);

        await LabBpf.EnableAsync(client, CancellationToken.None);
        var created = Assert.IsType<FelixConfiguration>(await client.GetAsync(ResourceKinds.FelixConfiguration, null, "default", CancellationToken.None));
        Assert.True(created.Spec.BpfEnabled);

        created.Spec.BpfEnabled = false;
        created.Spec.LogSeverityScreen = "Debug";
        Assert.True((await client.UpdateAsync(created, CancellationToken.None)).Succeeded);
        await LabBpf.EnableAsync(client, CancellationToken.None);
        var patched = Assert.IsType<FelixConfiguration>(await client.GetAsync(ResourceKinds.FelixConfiguration, null, "default", CancellationToken.None));
        Assert.True(patched.Spec.BpfEnabled);
        Assert.Equal("Debug", patched.Spec.LogSeverityScreen);
    }

    /// <summary>calico-lab conformance (which takes no --name) in-process.</summary>
    private static async Task<LabRunner.Outcome> ConformanceAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LabCli.RunAsync(["conformance", .. args], output, error, CancellationToken.None);
        return new LabRunner.Outcome(code, output.ToString(), error.ToString());
    }
}
