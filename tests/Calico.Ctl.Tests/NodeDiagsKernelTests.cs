using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// Root tier: the real calicoctl binary runs <c>node diags</c> inside a namespace this test makes (a veth pair, an
/// address, a route in table 100, a rule, an nftables table), with logs, a state directory and an embedded datastore;
/// the archive is listed and read with tar. PATH is cut down to a few tools, so the missing ones must be noted in the
/// archive without failing the run.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class NodeDiagsKernelTests
{
    [GeneratedRegex(@"^Diags saved to (?<path>/\S+\.tar\.gz)$", RegexOptions.Multiline)]
    private static partial Regex SavedTo();

    private static string Tar(params string[] arguments)
    {
        var psi = new ProcessStartInfo(Prerequisites.Require("tar"), arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "tar " + string.Join(' ', arguments) + ": " + error);
        return output;
    }

    [Fact]
    public async Task NodeDiags_InANamespace_ArchivesThatNamespacesStateLogsConfigAndNotesMissingTools()
    {
        IpTool.RequireRootTier();
        using var dir = new TempDirectory("calicoctl-diags-");
        using var ns = new NetnsScope("d2diag");
        ns.Ip("link", "add", "d2veth0", "type", "veth", "peer", "name", "d2veth1");
        ns.Ip("link", "set", "d2veth1", "up");
        ns.Ip("addr", "add", "10.123.45.1/24", "dev", "d2veth0");
        ns.Ip("link", "set", "d2veth0", "up");
        ns.Ip("route", "add", "10.200.0.0/16", "via", "10.123.45.2", "dev", "d2veth0", "table", "100");
        ns.Ip("rule", "add", "fwmark", "0x42", "lookup", "100", "pref", "1234");
        var nft = ns.Exec(Prerequisites.Require("nft"), "add", "table", "inet", "d2diagmarker");
        Assert.True(nft.ExitCode == 0, nft.Error);

        string logs = dir.File("logs");
        Directory.CreateDirectory(Path.Combine(logs, "felix"));
        var now = DateTime.UtcNow;
        foreach (var (name, age) in new[] { ("felix.log", 0), ("felix.log.1", 1), ("felix.log.2.gz", 2) })
        {
            string path = Path.Combine(logs, "felix", name);
            File.WriteAllText(path, "felix line " + name + "\n");
            File.SetLastWriteTimeUtc(path, now.AddHours(-age));
        }

        string state = dir.File("state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "bird.log"), "BIRD marker line\n");
        File.WriteAllText(Path.Combine(state, "bird.cfg"), "password \"secret\";\n");

        var ctl = CtlBackends.Embedded(dir.Path);
        var created = await ctl.RunAsync("create -f -", "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n  logSeverityScreen: Debug\n");
        Assert.True(created.ExitCode == 0, created.ToString());

        // A PATH with only some tools: journalctl, iptables-save, ip6tables-save and netstat are missing.
        string bin = dir.File("bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "ip", "nft", "ss", "date", "hostname", "uname", "bird", "birdc" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Prerequisites.Require(tool));
        }

        string dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string calicoctl = Path.Combine(CalicoctlBinary.Directory, "calicoctl");
        var result = await ctl.ShellAsync(
            $"{Prerequisites.Require("ip")} netns exec {ns.Name} /usr/bin/env PATH={bin} DOTNET_ROOT={dotnetRoot} " +
            $"{calicoctl} node diags --log-dir {logs} --state-dir {state} --max-logs 2",
            dir.Path);

        var saved = SavedTo().Match(result.Out);
        Assert.True(result.ExitCode == 0 && saved.Success, result.ToString());
        string archive = saved.Groups["path"].Value;
        try
        {
            Assert.StartsWith("Collecting diagnostics\nUsing temp dir: /tmp/calico", result.Out, StringComparison.Ordinal);
            Assert.EndsWith($"\nDiags saved to {archive}\nIf required, you can upload the diagnostics bundle to a file sharing service.\n", result.Out, StringComparison.Ordinal);
            Assert.Contains("Failed to run command: journalctl -u calico-node.service --no-pager\nError: exec: \"journalctl\": executable file not found in $PATH\n", result.Out, StringComparison.Ordinal);

            var entries = Tar("-tzf", archive).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            foreach (var expected in new[]
            {
                "diagnostics/ipv4_route", "diagnostics/ipv6_route", "diagnostics/ipv4_rule", "diagnostics/ipv4_addr", "diagnostics/links",
                "diagnostics/neighbours", "diagnostics/nft_ruleset", "diagnostics/ss", "diagnostics/version_kernel", "diagnostics/version_nft",
                "diagnostics/version_bird", "diagnostics/version_calicoctl", "diagnostics/node_status", "diagnostics/collection.txt",
                "diagnostics/datastore/felixconfigurations.yaml", "diagnostics/datastore/nodes.yaml",
                "diagnostics/logs/felix/felix.log", "diagnostics/logs/felix/felix.log.1", "diagnostics/state/bird.log",
            })
            {
                Assert.True(entries.Contains(expected), expected + " missing from " + string.Join(", ", entries));
            }

            Assert.DoesNotContain("diagnostics/logs/felix/felix.log.2.gz", entries); // --max-logs 2: the oldest felix file stays out
            Assert.DoesNotContain(entries, e => e.EndsWith("bird.cfg", StringComparison.Ordinal)); // BGP passwords never leave the host

            string Read(string entry) => Tar("-xzOf", archive, entry);
            string routes = Read("diagnostics/ipv4_route");
            Assert.Contains("10.200.0.0/16 via 10.123.45.2 dev d2veth0 table 100", routes, StringComparison.Ordinal);
            Assert.DoesNotContain("default via", routes, StringComparison.Ordinal); // the namespace's routes, not the machine's
            Assert.Contains("fwmark 0x42 lookup 100", Read("diagnostics/ipv4_rule"), StringComparison.Ordinal);
            Assert.Contains("inet 10.123.45.1/24", Read("diagnostics/ipv4_addr"), StringComparison.Ordinal);
            Assert.Contains("d2veth0", Read("diagnostics/links"), StringComparison.Ordinal);
            Assert.Contains("table inet d2diagmarker", Read("diagnostics/nft_ruleset"), StringComparison.Ordinal);
            Assert.Contains("nftables v", Read("diagnostics/version_nft"), StringComparison.Ordinal);
            Assert.Contains("Client Version:", Read("diagnostics/version_calicoctl"), StringComparison.Ordinal);
            Assert.Contains("logSeverityScreen: Debug", Read("diagnostics/datastore/felixconfigurations.yaml"), StringComparison.Ordinal);
            Assert.Equal("BIRD marker line\n", Read("diagnostics/state/bird.log"));
            Assert.Equal("felix line felix.log.1\n", Read("diagnostics/logs/felix/felix.log.1"));

            string collection = Read("diagnostics/collection.txt");
            Assert.Contains("journalctl_calico_node: not collected: journalctl not found on PATH", collection, StringComparison.Ordinal);
            Assert.Contains("ipv4_tables: not collected: iptables-save not found on PATH", collection, StringComparison.Ordinal);
            Assert.Contains("bird_protocols, bird_routes: not collected: no BIRD control socket", collection, StringComparison.Ordinal);
            Assert.Contains("logs: 2 of 3 files from " + logs + " (at most 2 of each kind)", collection, StringComparison.Ordinal);
            Assert.Contains("not collected: journalctl -u calico-node.service --no-pager: exec: \"journalctl\"", Read("diagnostics/journalctl_calico_node"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(archive)!, recursive: true);
        }
    }
}
