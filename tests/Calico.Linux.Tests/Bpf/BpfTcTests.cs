using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>
/// tc attach through libbpf on a real veth in namespaces the test creates: real UDP, TCP and ICMP through the
/// attached program, an atomic swap under a ping flood, drift as the kernel and tc show it, detach and clean-up.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class BpfTcTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new("calico-bpftc");
    private readonly TwoHosts _hosts = new();
    private readonly CancellationTokenSource _cancel = new(TimeSpan.FromMinutes(2)); // a hung exchange fails the test, it does not hang it

    [Fact]
    public async Task AnAttachedProgram_DropsUdp_PassesTcp_AndDetachingRestoresTrafficWithNoFilterLeft()
    {
        using var drop = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_and_drop_udp.c", _dir.Path));
        var program = drop.Program("count_and_drop_udp");
        var verdicts = drop.Map("verdicts");
        var b0 = await _hosts.IndexOfB0();

        var attached = await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Ingress, program));
        Assert.Equal(program.ReadInfo().Id, attached.ProgramId);
        Assert.Equal((BpfTc.Handle, BpfTc.Priority), (attached.Handle, attached.Priority));
        Assert.Contains($" id {attached.ProgramId} ", _hosts.TcFilters(), StringComparison.Ordinal);
        Assert.Contains("handle 0xca1", _hosts.TcFilters(), StringComparison.Ordinal);

        using var receiver = await _hosts.UdpReceiverInB();
        using var sender = await _hosts.UdpSenderInA();
        const int datagrams = 5;
        for (var i = 0; i < datagrams; i++)
        {
            sender.SendTo("dropped"u8, receiver.LocalEndPoint!);
        }

        await Eventually.WaitAsync(() => Task.FromResult(Count(verdicts, 1) == datagrams), Patience, $"{datagrams} UDP datagrams counted as dropped", () => $"dropped {Count(verdicts, 1)}");
        Assert.Equal(0, receiver.Available); // dropped at b0's ingress: nothing reached the socket

        var passedBefore = Count(verdicts, 0);
        Assert.Equal("through", await _hosts.TcpRoundTripAsync("through", _cancel.Token));
        Assert.True(Count(verdicts, 0) >= passedBefore + 3, "the TCP handshake and data went through the program");
        Assert.Equal((ulong)datagrams, Count(verdicts, 1));

        Assert.True(await _hosts.InB(() => BpfTc.Detach(b0, TcDirection.Ingress)));
        Assert.Null(await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Ingress)));
        Assert.False(await _hosts.InB(() => BpfTc.Detach(b0, TcDirection.Ingress)));
        Assert.Equal("", _hosts.TcFilters().Trim());

        sender.SendTo("passes"u8, receiver.LocalEndPoint!);
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(Patience);
        var got = await receiver.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("passes", System.Text.Encoding.ASCII.GetString(buffer, 0, got));
        Assert.Equal((ulong)datagrams, Count(verdicts, 1));

        Assert.Contains("clsact", _hosts.TcQdiscs(), StringComparison.Ordinal);
        Assert.True(await _hosts.InB(() => BpfTc.DestroyClsact(b0)));
        Assert.DoesNotContain("clsact", _hosts.TcQdiscs(), StringComparison.Ordinal);
        Assert.False(await _hosts.InB(() => BpfTc.DestroyClsact(b0)));
    }

    [Fact]
    public async Task ReplacingTheProgram_UnderAPingFlood_LosesNoPacket_AndEveryRequestSeesExactlyOneProgram()
    {
        using var first = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_and_drop_udp.c", _dir.Path));
        using var second = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path));
        var b0 = await _hosts.IndexOfB0();
        await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Ingress, first.Program("count_and_drop_udp")));

        const int requests = 2000;
        var ping = StartPing(requests);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(Count(first.Map("verdicts"), 0) >= 100), Patience, "the ping flood to reach the first program", () => "", TimeSpan.FromMilliseconds(5));
            var swapped = await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Ingress, second.Program("count_all")));
            Assert.Equal(second.Program("count_all").ReadInfo().Id, swapped.ProgramId);

            var output = await ping.StandardOutput.ReadToEndAsync(_cancel.Token);
            await ping.WaitForExitAsync(_cancel.Token);
            var summary = PingSummary().Match(output);
            Assert.True(summary.Success, "ping printed no summary: " + output);
            Assert.Equal(requests.ToString(CultureInfo.InvariantCulture), summary.Groups["sent"].Value);
            Assert.Equal(requests.ToString(CultureInfo.InvariantCulture), summary.Groups["received"].Value);

            var byFirst = Count(first.Map("verdicts"), 0);
            var bySecond = Count(second.Map("seen"), 0);
            Assert.True(bySecond > 0, $"the swap happened after the flood ended (first saw {byFirst})");
            Assert.Equal((ulong)requests, byFirst + bySecond);
            Assert.Single(Regex.Matches(_hosts.TcFilters(), " id [0-9]+ "));
        }
        finally
        {
            ChildProcess.Kill(ping);
            ping.Dispose();
        }
    }

    [Fact]
    public async Task Drift_ADetachByHand_AndAnotherProgramInOurPlace_AreSeenByQuery()
    {
        var dropObject = BpfTestPrograms.Compile("bpf/test/count_and_drop_udp.c", _dir.Path);
        using var ours = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path));
        var program = ours.Program("count_all");
        var id = program.ReadInfo().Id;
        var b0 = await _hosts.IndexOfB0();

        await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Egress, program));
        Assert.Equal(TcAttachmentState.Attached, TcAttachment.Compare(await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Egress)), id));
        Assert.Null(await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Ingress)));

        Assert.Equal(0, _hosts.B.Exec("tc", "filter", "del", "dev", "b0", "egress").ExitCode);
        Assert.Equal(TcAttachmentState.Missing, TcAttachment.Compare(await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Egress)), id));

        await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Egress, program));
        var (exit, _, error) = _hosts.B.Exec("tc", "filter", "replace", "dev", "b0", "egress", "protocol", "all", "pref", "1", "handle", "0xca1", "bpf", "da", "obj", dropObject, "sec", "tc");
        Assert.True(exit == 0, "tc filter replace: " + error);
        var found = await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Egress));
        Assert.Equal(TcAttachmentState.Replaced, TcAttachment.Compare(found, id));
        Assert.Equal("count_and_drop_", BpfProgram.InfoById(found!.ProgramId)!.Name);

        await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Egress, program));
        Assert.Equal(TcAttachmentState.Attached, TcAttachment.Compare(await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Egress)), id));
    }

    [Fact]
    public async Task AnAttachedProgram_KeepsRunningAfterItsLoaderClosedEverything_ItsPinnedMapCountingOn()
    {
        var bpffs = _dir.File("bpffs");
        Assert.True(BpfFilesystem.EnsureMounted(bpffs));
        try
        {
            var pin = Path.Combine(bpffs, "seen");
            var b0 = await _hosts.IndexOfB0();
            uint programId;
            using (var loader = BpfObject.Open(BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path)))
            {
                loader.Map("seen").SetPinPath(pin);
                loader.Load();
                programId = (await _hosts.InB(() => BpfTc.Attach(b0, TcDirection.Ingress, loader.Program("count_all")))).ProgramId;
            }

            var (exit, output, _) = _hosts.A.Exec("ping", "-q", "-n", "-c", "3", "-i", "0.2", "-W", "5", TwoHosts.AddressB.ToString());
            Assert.True(exit == 0, "ping: " + output);
            using var seen = BpfMap.OpenPinned(pin);
            Assert.Equal(3UL, Count(seen, 0)); // the link is quiet: exactly the three echo requests
            var found = await _hosts.InB(() => BpfTc.Query(b0, TcDirection.Ingress));
            Assert.Equal(TcAttachmentState.Attached, TcAttachment.Compare(found, programId));
            Assert.Equal("count_all", BpfProgram.InfoById(programId)!.Name);
        }
        finally
        {
            BpfFilesystem.Unmount(bpffs);
        }
    }

    [Fact]
    public async Task AttachingToAMissingInterface_IsAnErrorNamingIt()
    {
        using var bpf = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path));
        var program = bpf.Program("count_all");

        var byIndex = await Assert.ThrowsAsync<BpfException>(() => _hosts.InB(() => BpfTc.Attach(9999, TcDirection.Ingress, program)));
        Assert.Contains("interface index 9999 (no such interface in this network namespace)", byIndex.Message, StringComparison.Ordinal);
        Assert.Null(await Record.ExceptionAsync(() => _hosts.InB(() => BpfTc.Query(1, TcDirection.Ingress)))); // lo: exists, nothing attached
        await Assert.ThrowsAsync<BpfException>(() => _hosts.InB(() => BpfTc.Query(9999, TcDirection.Ingress)));

        var byName = await Assert.ThrowsAsync<BpfException>(() => _hosts.InB(() => BpfTc.InterfaceIndex("nosuch0")));
        Assert.Contains("interface nosuch0 not found", byName.Message, StringComparison.Ordinal);
        Assert.Contains("'a b'", Assert.Throws<ArgumentException>(() => BpfTc.InterfaceIndex("a b")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => BpfTc.Attach(0, TcDirection.Ingress, program));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpfTc.Query(1, (TcDirection)3));
    }

    private Process StartPing(int count)
    {
        var info = new ProcessStartInfo(Prerequisites.Require("ip"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", _hosts.A.Name, "ping", "-q", "-n", "-i", "0.002", "-c", count.ToString(CultureInfo.InvariantCulture), "-W", "5", TwoHosts.AddressB.ToString() })
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start ping");
    }

    private static ulong Count(BpfMap map, uint key) => BitConverter.ToUInt64(map.Lookup(BitConverter.GetBytes(key))!);

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) received")]
    private static partial Regex PingSummary();

    public void Dispose()
    {
        _cancel.Dispose();
        _hosts.Dispose();
        _dir.Dispose();
    }
}
