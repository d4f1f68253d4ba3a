using System.Diagnostics;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Embedded;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Lab.Tests.Packaging;

/// <summary>
/// Root tier: the Debian package scripts/build-deb.sh makes (from placeholder binaries), read back with dpkg-deb
/// (exact contents, modes, links, conffiles, Depends), its units checked by <c>systemd-analyze verify</c>, and each
/// unit's <c>ExecStart</c> run for real as systemd would (a clean environment from its <c>EnvironmentFile</c>, the
/// binaries from this test's output, system paths mapped to a temp dir) in a network namespace made here, until ready,
/// then stopped with SIGTERM. This machine's PID 1 is not systemd, so nothing is started through systemctl;
/// <c>ExecStartPre</c> (modprobe) is not run.
/// </summary>
[Trait("Tier", "Root")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebianPackageTests(DebianPackageFixture package, ITestOutputHelper output) : IClassFixture<DebianPackageFixture>, IDisposable
{
    private const string SystemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly string[] Units = ["calico-node.service", "calico-kube-controllers.service", "goldmane.service"];

    private static readonly string[] Programs = ["calicoctl", "calico-node", "calico-kube-controllers", "goldmane"];

    private readonly ChildProcess _processes = new();
    private readonly TempDirectory _dir = new("calico-unit");
    private readonly List<NetnsScope> _namespaces = [];

    [Fact]
    public void Contents_are_exactly_the_binaries_links_units_configuration_and_docs_with_their_modes()
    {
        var directories = new List<string>();
        var entries = new List<string>();
        foreach (string line in package.Listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // drwxr-xr-x root/root 0 2026-12-06 15:26 ./etc/  |  lrwxrwxrwx ... ./usr/bin/x -> ../lib/calico/x
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(fields.Length == 6, "unexpected dpkg-deb -c line: " + line);
            Assert.True(fields[1] == "root/root", "not owned by root/root: " + line);
            string path = fields[5].StartsWith("./", StringComparison.Ordinal) ? fields[5][1..] : fields[5];
            if (fields[0][0] == 'd')
            {
                Assert.True(fields[0] == "drwxr-xr-x", "directory mode: " + line);
                directories.Add(path);
            }
            else
            {
                entries.Add(fields[0] + " " + path);
            }
        }

        var expected = new List<string>
        {
            "-rw------- /etc/calico/calico.env",
            "-rw------- /etc/calico/calicoctl.cfg",
            "-rw-r--r-- /etc/calico/goldmane.env",
            "-rw-r--r-- /etc/cni/net.d/10-calico.conflist",
            "-rwxr-xr-x /opt/cni/bin/calico",
            "hrwxr-xr-x /opt/cni/bin/calico-ipam link to ./opt/cni/bin/calico",
            "-rw-r--r-- /opt/cni/bin/libe_sqlite3.so",
            "-rw-r--r-- /usr/lib/calico/libe_sqlite3.so",
            "-rw-r--r-- /usr/share/doc/calico/calico-node.md",
            "-rw-r--r-- /usr/share/doc/calico/cni.md",
            "-rw-r--r-- /usr/share/doc/calico/install.md",
        };
        expected.AddRange(Units.Select(u => "-rw-r--r-- /lib/systemd/system/" + u));
        expected.AddRange(Programs.Select(p => "-rwxr-xr-x /usr/lib/calico/" + p));
        expected.AddRange(Programs.Select(p => $"lrwxrwxrwx /usr/bin/{p} -> ../lib/calico/{p}"));
        expected.AddRange(DebianPackageFixture.BpfObjectNames(package.RepoRoot).Select(o => "-rw-r--r-- /usr/lib/calico/bpf/" + o));
        Assert.Equal(expected.Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["/", "/etc/", "/etc/calico/", "/etc/cni/", "/etc/cni/net.d/", "/lib/", "/lib/systemd/", "/lib/systemd/system/", "/opt/", "/opt/cni/",
             "/opt/cni/bin/", "/usr/", "/usr/bin/", "/usr/lib/", "/usr/lib/calico/", "/usr/lib/calico/bpf/", "/usr/share/", "/usr/share/doc/", "/usr/share/doc/calico/"],
            directories.Order(StringComparer.Ordinal));

        // The payload is what was given: the hard link shares the plugin's content, the binaries are the inputs.
        Assert.Equal("#!/bin/sh\necho calico\n", File.ReadAllText(package.InRoot("/opt/cni/bin/calico-ipam")));
        Assert.Equal("#!/bin/sh\necho calico-node\n", File.ReadAllText(package.InRoot("/usr/bin/calico-node")));
    }

    [Fact]
    public async Task Build_script_refuses_a_missing_binary_a_bad_version_and_an_unknown_argument_naming_them()
    {
        string script = Path.Combine(package.RepoRoot, "scripts", "build-deb.sh");
        string bin = _dir.File("bin");
        string output = _dir.File("out");
        Directory.CreateDirectory(bin);
        foreach (string name in DebianPackageFixture.Binaries.Where(b => b != "goldmane"))
        {
            await File.WriteAllTextAsync(Path.Combine(bin, name), "#!/bin/sh\n");
        }

        await File.WriteAllTextAsync(Path.Combine(bin, "libe_sqlite3.so"), "placeholder\n");
        var missing = await DebianPackageFixture.RunAsync(script, "--bin-dir", bin, "--out-dir", output);
        Assert.Equal(1, missing.Code);
        Assert.Contains(Path.Combine(bin, "goldmane") + " is missing", missing.Error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(bin, "goldmane"), "#!/bin/sh\n");
        var version = await DebianPackageFixture.RunAsync(script, "--bin-dir", bin, "--out-dir", output, "--version", "1.0 beta");
        Assert.Equal(2, version.Code);
        Assert.Contains("--version '1.0 beta' is not a Debian version", version.Error, StringComparison.Ordinal);

        var unknown = await DebianPackageFixture.RunAsync(script, "--bin-dir", bin, "--outdir", output);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("unknown argument '--outdir'", unknown.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), "a refused build wrote something");
    }

    [Fact]
    public async Task Control_declares_version_depends_conffiles_and_maintainer_scripts_start_nothing()
    {
        Assert.Equal("calico", await package.FieldAsync("Package"));
        Assert.Equal(DebianPackageFixture.Version, await package.FieldAsync("Version"));
        Assert.Equal("amd64", await package.FieldAsync("Architecture"));
        // calico-node runs bird (BGP) and nft (drift read-back), nsenter (util-linux); the AOT binaries link glibc only.
        Assert.Equal("libc6 (>= 2.34), bird2, nftables, util-linux", await package.FieldAsync("Depends"));
        Assert.Equal("containernetworking-plugins, iproute2, conntrack, etcd-client", await package.FieldAsync("Recommends"));
        Assert.Equal(
            ["/etc/calico/calico.env", "/etc/calico/calicoctl.cfg", "/etc/calico/goldmane.env", "/etc/cni/net.d/10-calico.conflist"],
            File.ReadAllLines(Path.Combine(package.Control, "conffiles")).Order(StringComparer.Ordinal));
        // Every dependency is one the project's own test machines install.
        string deps = await File.ReadAllTextAsync(Path.Combine(package.RepoRoot, "scripts", "install-deps.sh"));
        Assert.Contains("bird2", deps, StringComparison.Ordinal);
        Assert.Contains("nftables", deps, StringComparison.Ordinal);

        // md5sums covers every file (dpkg --verify reads it).
        string[] sums = File.ReadAllLines(Path.Combine(package.Control, "md5sums"));
        Assert.Equal(18 + DebianPackageFixture.BpfObjectNames(package.RepoRoot).Count, sums.Length);
        Assert.Contains(sums, l => l.EndsWith("  usr/lib/calico/bpf/calico_tc.o", StringComparison.Ordinal));
        Assert.Contains(sums, l => l.EndsWith("  opt/cni/bin/calico-ipam", StringComparison.Ordinal));

        foreach (string script in new[] { "postinst", "prerm", "postrm" })
        {
            string path = Path.Combine(package.Control, script);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                File.GetUnixFileMode(path));
            var (code, _, error) = await DebianPackageFixture.RunAsync("sh", "-n", path);
            Assert.True(code == 0, $"{script} is not valid sh: {error}");
            string text = await File.ReadAllTextAsync(path);
            foreach (string forbidden in new[] { "systemctl start", "systemctl enable", "systemctl restart", "deb-systemd-invoke start", "rm -rf" })
            {
                Assert.DoesNotContain(forbidden, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Units_wait_for_the_network_restart_always_and_read_their_environment_file()
    {
        foreach (string name in Units)
        {
            var unit = new SystemdUnitFile(package.InRoot("/lib/systemd/system/" + name));
            Assert.Contains("network-online.target", unit.One("Unit", "After").Split(' '));
            Assert.Contains("network-online.target", unit.One("Unit", "Wants").Split(' '));
            Assert.Equal("always", unit.One("Service", "Restart"));
            Assert.Equal("multi-user.target", unit.One("Install", "WantedBy"));
            string environmentFile = unit.One("Service", "EnvironmentFile");
            Assert.True(File.Exists(package.InRoot(environmentFile)), $"{name}: EnvironmentFile {environmentFile} is not in the package");
            EnvironmentFile.Read(package.InRoot(environmentFile));
            var (_, words) = SystemdUnitFile.SplitCommand(unit.One("Service", "ExecStart"));
            Assert.True(File.Exists(package.InRoot(words[0])), $"{name}: ExecStart {words[0]} is not in the package");
            string text = File.ReadAllText(unit.Path);
            Assert.DoesNotContain("kube", text.Replace("calico-kube-controllers", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        }

        var node = new SystemdUnitFile(package.InRoot("/lib/systemd/system/calico-node.service"));
        // BIRD is daemonised and must survive a calico-node restart.
        Assert.Equal("process", node.One("Service", "KillMode"));
        Assert.Equal("calico", node.One("Service", "StateDirectory"));
        Assert.Equal("0700", node.One("Service", "StateDirectoryMode"));
        Assert.Equal("calico", node.One("Service", "RuntimeDirectory"));
        Assert.Equal("yes", node.One("Service", "RuntimeDirectoryPreserve"));
        var (prefixes, modprobe) = SystemdUnitFile.SplitCommand(node.One("Service", "ExecStartPre"));
        Assert.Equal("-", prefixes);
        Assert.Equal("/sbin/modprobe", modprobe[0]);
    }

    [Theory]
    [InlineData("calico-node.service")]
    [InlineData("calico-kube-controllers.service")]
    [InlineData("goldmane.service")]
    public async Task Unit_passes_systemd_analyze_verify_against_the_package_tree(string unit)
    {
        var (code, stdout, stderr) = await VerifyAsync(package.Root, unit);
        Assert.True(code == 0 && stderr.Length == 0 && stdout.Length == 0, $"systemd-analyze verify {unit} ({code}):\n{stdout}{stderr}");
    }

    [Fact]
    public async Task Systemd_analyze_verify_catches_a_misspelt_key_and_a_missing_binary()
    {
        // The check above could fail: the same tree with one unit broken twice.
        string root = _dir.File("broken-root");
        Directory.CreateDirectory(root + "/lib/systemd/system");
        string text = await File.ReadAllTextAsync(package.InRoot("/lib/systemd/system/goldmane.service"));
        await File.WriteAllTextAsync(root + "/lib/systemd/system/goldmane.service", text.Replace("RestartSec=", "RestrtSec=", StringComparison.Ordinal));
        var (code, _, stderr) = await VerifyAsync(root, "goldmane.service");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown key 'RestrtSec'", stderr, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/goldmane", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calico_node_ExecStart_with_calico_env_reaches_ready_wires_a_workload_from_the_default_conflist_and_stops_on_SIGTERM()
    {
        NetnsScope ns = HostNamespace();
        string state = _dir.File("var-lib-calico");
        string store = _dir.File("calico.db");
        // A pool of our own first (calico-node then creates no default pool): the workload's address must come from it.
        var kv = new EmbeddedKeyValueStore(store);
        await using (kv.ConfigureAwait(false))
        {
            var client = new ResourceClient(kv, TimeProvider.System);
            await client.EnsureInitializedAsync(CancellationToken.None);
            var pool = new IPPool { Metadata = { Name = "package-test" } };
            pool.Spec.Cidr = "10.252.0.0/16";
            pool.Spec.BlockSize = 26;
            var created = await client.CreateAsync(pool, CancellationToken.None);
            Assert.True(created.Succeeded, created.Message);
        }

        var started = StartUnit("calico-node.service", ns, EmbeddedStore(store), new Dictionary<string, string>
        {
            ["/etc/calico/"] = _dir.File("etc-calico") + "/",
            ["/var/lib/calico"] = state,
        });
        await WaitForAsync(async () => await NetnsHttp.StatusAsync(ns.Path, 9099, "/readiness") == 200, TimeSpan.FromSeconds(45), "calico-node /readiness 200 on 9099", started);
        // NODENAME is empty in calico.env: the host name, written where the CNI plugin reads it.
        Assert.Equal(System.Net.Dns.GetHostName().ToLowerInvariant(), File.ReadAllText(Path.Combine(state, "nodename")).Trim());

        // A workload through the shipped conflist (datastore and machine paths swapped for the test's, nothing else).
        NetnsScope pod = Namespace();
        string address = await CniAsync("ADD", ns, pod, store, state);
        Assert.True(System.Net.IPNetwork.Parse("10.252.0.0/16").Contains(System.Net.IPAddress.Parse(address)), $"workload address {address} is not from the pool");
        await WaitForAsync(() => Task.FromResult(ns.Ip("route", "show", address).Contains("dev cali", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), $"calico-node's route to the workload {address}", started);
        await CniAsync("DEL", ns, pod, store, state);
        await StopWithSigtermAsync(started);
    }

    [Fact]
    public async Task Goldmane_ExecStart_with_goldmane_env_answers_and_stops_on_SIGTERM()
    {
        NetnsScope ns = Namespace();
        var started = StartUnit("goldmane.service", ns, [], new Dictionary<string, string>());
        int grpcPort = int.Parse(started.Environment["PORT"], System.Globalization.CultureInfo.InvariantCulture);
        await WaitForAsync(async () => await NetnsHttp.StatusAsync(ns.Path, 8081, "/readiness") == 200, TimeSpan.FromSeconds(30), "goldmane /readiness 200 on 8081", started);
        Assert.True(await NetnsHttp.ListeningAsync(ns.Path, grpcPort), $"goldmane does not listen on PORT={grpcPort} from goldmane.env");
        await StopWithSigtermAsync(started);
    }

    [BuiltBinaryFact("calico-kube-controllers")]
    public async Task Kube_controllers_ExecStart_with_calico_env_runs_until_SIGTERM()
    {
        string store = _dir.File("controllers.db");
        // calico-node creates the embedded store, never the controllers: make it as calico-node would.
        var kv = new EmbeddedKeyValueStore(store);
        await using (kv.ConfigureAwait(false))
        {
            await new ResourceClient(kv, TimeProvider.System).EnsureInitializedAsync(CancellationToken.None);
        }

        NetnsScope ns = Namespace();
        string run = _dir.File("run-calico");
        var started = StartUnit("calico-kube-controllers.service", ns, EmbeddedStore(store), new Dictionary<string, string> { ["/run/calico/"] = run + "/" });
        bool exited = started.Process.WaitForExit(5_000);
        string printed = _processes.OutputOf(started.Process);
        Assert.False(exited, $"calico-kube-controllers exited ({(exited ? started.Process.ExitCode : 0)}) within 5 s of start:\n{printed}");
        // The health check the unit's comment gives operators, on the status file the unit names.
        string program = Path.Combine(AppContext.BaseDirectory, "calico-kube-controllers");
        string status = Path.Combine(run, "calico-kube-controllers.status");
        await WaitForAsync(async () => File.Exists(status) && (await DebianPackageFixture.RunAsync(program, "check-status", "-r", "-f", status)).Code == 0,
            TimeSpan.FromSeconds(40), "check-status -r to answer ready", started);
        await StopWithSigtermAsync(started);
    }

    public void Dispose()
    {
        _processes.Dispose();
        foreach (NetnsScope ns in _namespaces)
        {
            // calico-node's BIRD runs daemonised (it outlives calico-node by design): whatever is left in our namespaces goes.
            foreach (string pid in IpTool.TryRun("netns", "pids", ns.Name).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Process.Start("kill", ["-9", pid.Trim()])?.WaitForExit(5_000);
            }

            ns.Dispose();
        }

        _dir.Dispose();
    }

    /// <summary>
    /// Runs the CNI plugin (this test's output) in the host namespace with the first plugin of the shipped
    /// 10-calico.conflist: the etcd keys replaced by the test's embedded store, the files it would use on a host
    /// (log, nodename, IPAM lock) moved to the temp dir. ADD returns the workload's IPv4 address.
    /// </summary>
    private async Task<string> CniAsync(string command, NetnsScope host, NetnsScope pod, string store, string state)
    {
        var conflist = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(package.InRoot("/etc/cni/net.d/10-calico.conflist")))!.AsObject();
        var plugin = conflist["plugins"]![0]!.DeepClone().AsObject();
        Assert.Equal("calico", plugin["type"]!.GetValue<string>());
        Assert.Equal("portmap", conflist["plugins"]![1]!["type"]!.GetValue<string>());
        foreach (string key in plugin.Select(p => p.Key).Where(k => k.StartsWith("etcd_", StringComparison.Ordinal)).ToList())
        {
            plugin.Remove(key);
        }

        plugin["datastore_type"] = "embedded";
        plugin["datastore_path"] = store;
        Assert.StartsWith("/var/log/calico/", plugin["log_file_path"]!.GetValue<string>(), StringComparison.Ordinal);
        plugin["log_file_path"] = _dir.File("cni.log");
        plugin["nodename_file"] = Path.Combine(state, "nodename");
        plugin["ipam_lock_file"] = _dir.File("ipam.lock");
        plugin["cniVersion"] = conflist["cniVersion"]!.GetValue<string>();
        plugin["name"] = conflist["name"]!.GetValue<string>();
        string config = plugin.ToJsonString();

        var info = new ProcessStartInfo(Prerequisites.Require("ip"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "netns", "exec", host.Name, Path.Combine(AppContext.BaseDirectory, "calico") })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["CNI_COMMAND"] = command;
        info.Environment["CNI_CONTAINERID"] = "pkgtest" + pod.Name;
        info.Environment["CNI_NETNS"] = pod.Path;
        info.Environment["CNI_IFNAME"] = "eth0";
        info.Environment["CNI_PATH"] = AppContext.BaseDirectory;
        using Process cni = Process.Start(info)!;
        await cni.StandardInput.WriteAsync(config);
        cni.StandardInput.Close();
        Task<string> stdout = cni.StandardOutput.ReadToEndAsync();
        Task<string> stderr = cni.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await cni.WaitForExitAsync(timeout.Token);
        string result = await stdout;
        Assert.True(cni.ExitCode == 0, $"CNI {command} with the shipped conflist failed ({cni.ExitCode}): {result} {await stderr}\nconfig: {config}");
        if (command != "ADD")
        {
            return "";
        }

        var ips = System.Text.Json.Nodes.JsonNode.Parse(result)!["ips"]!.AsArray();
        return ips[0]!["address"]!.GetValue<string>().Split('/')[0];
    }

    private static async Task<(int Code, string Stdout, string Stderr)> VerifyAsync(string root, string unit)
    {
        string analyze = Prerequisites.Require("systemd-analyze");
        // verify --root resolves the unit's dependencies (network-online.target, multi-user.target, sysinit.target...)
        // inside the root: give it this machine's targets, and nothing of its services.
        string targets = Path.Combine(root, "usr/lib/systemd/system");
        Directory.CreateDirectory(targets);
        foreach (string target in Directory.GetFiles("/lib/systemd/system", "*.target"))
        {
            File.Copy(target, Path.Combine(targets, Path.GetFileName(target)), overwrite: true);
        }

        return await DebianPackageFixture.RunAsync(analyze, "verify", "--root=" + root, "/lib/systemd/system/" + unit);
    }

    private static Dictionary<string, string> EmbeddedStore(string path) => new()
    {
        ["DATASTORE_TYPE"] = "embedded",
        ["CALICO_DATASTORE_PATH"] = path,
    };

    private NetnsScope Namespace()
    {
        var ns = new NetnsScope("calpk");
        _namespaces.Add(ns);
        return ns;
    }

    /// <summary>A namespace with one global address for calico-node's autodetection (IP=autodetect in calico.env).</summary>
    private NetnsScope HostNamespace()
    {
        NetnsScope ns = Namespace();
        // A veth pair, both ends inside (no dummy module needed): eth0 is the host's uplink.
        ns.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "uplink0");
        ns.Ip("addr", "add", "10.251.7.1/24", "dev", "eth0");
        ns.Ip("link", "set", "uplink0", "up");
        ns.Ip("link", "set", "eth0", "up");
        ns.Ip("route", "add", "default", "via", "10.251.7.254");
        return ns;
    }

    /// <summary>
    /// Runs the unit's ExecStart as systemd would: a clean environment (systemd's PATH plus the EnvironmentFile as
    /// shipped, with <paramref name="overrides"/>: the datastore, never the machine's), the program from this test's
    /// output instead of /usr/bin, every other absolute path mapped by prefix; an absolute path left unmapped fails.
    /// </summary>
    private StartedUnit StartUnit(string name, NetnsScope ns, Dictionary<string, string> overrides, Dictionary<string, string> pathMap)
    {
        var unit = new SystemdUnitFile(package.InRoot("/lib/systemd/system/" + name));
        Dictionary<string, string> environment = EnvironmentFile.Read(package.InRoot(unit.One("Service", "EnvironmentFile")));
        if (overrides.Count > 0)
        {
            foreach (string key in environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
            {
                environment.Remove(key);
            }
        }

        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        var (_, words) = SystemdUnitFile.SplitCommand(unit.One("Service", "ExecStart"));
        Assert.StartsWith("/usr/bin/", words[0], StringComparison.Ordinal);
        string program = Path.Combine(AppContext.BaseDirectory, words[0]["/usr/bin/".Length..]);
        Assert.True(File.Exists(program), $"{name}: {program} is not in the test output");
        var arguments = new List<string>();
        foreach (string word in words.Skip(1))
        {
            string mapped = word;
            foreach (var (from, to) in pathMap)
            {
                if (word.StartsWith(from, StringComparison.Ordinal))
                {
                    mapped = to + word[from.Length..];
                    Directory.CreateDirectory(Path.GetDirectoryName(mapped)!);
                    break;
                }
            }

            Assert.False(mapped.StartsWith('/') && mapped == word, $"{name}: ExecStart names {word}, which this test does not map to a temp path");
            arguments.Add(mapped);
        }

        var command = new List<string> { "-i", "PATH=" + SystemdPath };
        // The test output holds framework-dependent apphosts (the package's are Native AOT and need no runtime).
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            command.Add("DOTNET_ROOT=" + dotnetRoot);
        }

        command.AddRange(environment.Select(e => e.Key + "=" + e.Value));
        command.AddRange([Prerequisites.Require("ip"), "netns", "exec", ns.Name, program]);
        command.AddRange(arguments);
        Process process = _processes.Start(Prerequisites.Require("env"), command);
        return new StartedUnit(name, process, environment);
    }

    private async Task StopWithSigtermAsync(StartedUnit unit)
    {
        Assert.False(unit.Process.HasExited, $"{unit.Name} exited early ({(unit.Process.HasExited ? unit.Process.ExitCode : 0)}):\n{_processes.OutputOf(unit.Process)}");
        var (code, _, error) = await DebianPackageFixture.RunAsync("kill", "-TERM", unit.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, error);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await unit.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{unit.Name} did not stop within 20 s of SIGTERM:\n{_processes.OutputOf(unit.Process)}");
        }

        Assert.True(unit.Process.ExitCode == 0, $"{unit.Name} exited {unit.Process.ExitCode} on SIGTERM (systemd would mark the unit failed):\n{_processes.OutputOf(unit.Process)}");
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, StartedUnit unit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (unit.Process.HasExited)
            {
                Assert.Fail($"{unit.Name} exited ({unit.Process.ExitCode}) while waiting for {what}:\n{_processes.OutputOf(unit.Process)}");
            }

            if (await condition())
            {
                output.WriteLine($"{unit.Name}: {what} after {clock.Elapsed.TotalSeconds:0.0} s");
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}:\n{_processes.OutputOf(unit.Process)}");
    }

    private sealed record StartedUnit(string Name, Process Process, Dictionary<string, string> Environment);
}
