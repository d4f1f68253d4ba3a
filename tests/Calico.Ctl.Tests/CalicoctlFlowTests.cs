namespace Calico.Ctl.Tests;

/// <summary>
/// calicoctl's behaviour, run identically against both datastores (the derived classes). Every test starts
/// from an empty datastore. The FAQ's flows run verbatim through bash and the real binary.
/// </summary>
public abstract class CalicoctlFlowTests : IDisposable
{
    private const string FaqPool = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: ippool-1
        spec:
          cidr: 192.168.0.0/16
          natOutgoing: true
        """;

    private readonly string _workDir = Directory.CreateTempSubdirectory("calicoctl-test-").FullName;

    protected abstract CtlRunner Ctl { get; }

    public void Dispose()
    {
        Directory.Delete(_workDir, recursive: true);
        Cleanup();
        GC.SuppressFinalize(this);
    }

    /// <summary>What a backend made for one test and must remove, even when the test failed.</summary>
    protected virtual void Cleanup()
    {
    }

    [Fact]
    public async Task Faq_ApplyFromHeredoc_CreatesPoolWithDefaults()
    {
        var r = await Ctl.ShellAsync("""
            cat <<EOF | calicoctl apply -f -
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: ippool-1
            spec:
              cidr: 192.168.0.0/16
              natOutgoing: true
            EOF
            """, _workDir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Successfully applied 1 'IPPool' resource(s)\n", r.Out);
        var get = await Ctl.RunAsync("get ippool -o wide");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal(
            "NAME       CIDR             NAT    IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR   ASSIGNMENTMODE   \n" +
            "ippool-1   192.168.0.0/16   true   Never      Never       false      false              all()      Automatic        \n\n",
            get.Out);
    }

    [Fact]
    public async Task Faq_ExportEditReplace_EnablesIpipAndNat()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool.Replace("natOutgoing: true", "natOutgoing: false", StringComparison.Ordinal))).ExitCode);

        // Step 1 of the FAQ, verbatim.
        var export = await Ctl.ShellAsync("calicoctl get ipPool --export -o yaml > pool.yaml", _workDir);
        Assert.True(export.ExitCode == 0, export.ToString());
        var exported = await File.ReadAllTextAsync(Path.Combine(_workDir, "pool.yaml"));
        Assert.DoesNotContain("resourceVersion", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("uid:", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("creationTimestamp: \"", exported, StringComparison.Ordinal); // upstream prints a cleared one as null
        Assert.Contains("kind: IPPoolList", exported, StringComparison.Ordinal);

        // Step 2: the file as the FAQ shows it after editing (a bare sequence of objects): it turns on IP-in-IP.
        await File.WriteAllTextAsync(Path.Combine(_workDir, "pool.yaml"), """
            - apiVersion: projectcalico.org/v3
              kind: IPPool
              metadata:
               name: ippool-1
              spec:
                cidr: 192.168.0.0/16
                ipipMode: Always
                natOutgoing: true
            """);

        // Step 3, verbatim.
        var replace = await Ctl.ShellAsync("calicoctl replace -f pool.yaml", _workDir);
        Assert.True(replace.ExitCode == 0, replace.ToString());
        Assert.Equal("Successfully replaced 1 'IPPool' resource(s)\n", replace.Out);

        var wide = await Ctl.RunAsync("get ippool ippool-1 -o wide");
        Assert.Contains("ippool-1   192.168.0.0/16   true   Always     Never", wide.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faq_ExportedFileEditedInPlace_Replaces()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.ShellAsync("""
            calicoctl get ipPool --export -o yaml > pool.yaml
            sed -i 's/vxlanMode: Never/vxlanMode: Always/' pool.yaml
            calicoctl replace -f pool.yaml
            calicoctl get ippool ippool-1 -o yaml
            """, _workDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Successfully replaced 1 'IPPool' resource(s)", r.Out, StringComparison.Ordinal);
        Assert.Contains("vxlanMode: Always", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_StaleResourceVersion_IsConflictAndNotWritten()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var current = (await Ctl.RunAsync("get ippool ippool-1 -o yaml")).Out;
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool.Replace("natOutgoing: true", "natOutgoing: false", StringComparison.Ordinal))).ExitCode);

        var stale = current.Replace("natOutgoing: true", "natOutgoing: true\n  disabled: true", StringComparison.Ordinal);
        var r = await Ctl.RunAsync("replace -f -", stale);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("update conflict: IPPool(ippool-1)", r.Err, StringComparison.Ordinal);
        Assert.Contains("out of date", r.Err, StringComparison.Ordinal);
        var after = (await Ctl.RunAsync("get ippool ippool-1 -o wide")).Out;
        Assert.Contains("   false   Never", after, StringComparison.Ordinal); // natOutgoing still false
        Assert.DoesNotContain("true", after.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_WithoutResourceVersion_UpdatesWhatIsThere()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunAsync("replace -f -", FaqPool.Replace("natOutgoing: true", "natOutgoing: false", StringComparison.Ordinal));
        Assert.True(r.ExitCode == 0, r.ToString());
        // false is Go's zero value: omitted, as upstream prints it.
        Assert.DoesNotContain("natOutgoing", (await Ctl.RunAsync("get ippool ippool-1 -o yaml")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_Missing_FailsNamingResource()
    {
        var r = await Ctl.RunAsync("replace -f -", FaqPool);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("failed to replace 'IPPool' resource: [resource does not exist: IPPool(ippool-1) with error: <nil>]\n", r.Err);
    }

    [Fact]
    public async Task Create_Existing_FailsAlreadyExists_SkipExistsSucceeds()
    {
        Assert.Equal("Successfully created 1 'IPPool' resource(s)\n", (await Ctl.RunAsync("create -f -", FaqPool)).Out);
        var again = await Ctl.RunAsync("create -f -", FaqPool);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("resource already exists: IPPool(ippool-1)", again.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await Ctl.RunAsync("create --skip-exists -f -", FaqPool)).ExitCode);
    }

    [Fact]
    public async Task Get_Yaml_PrintsUpstreamShape()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunAsync("get ippool ippool-1 -o yaml --export");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              creationTimestamp: null
              name: ippool-1
            spec:
              allowedUses:
              - Workload
              - Tunnel
              assignmentMode: Automatic
              blockSize: 26
              cidr: 192.168.0.0/16
              ipipMode: Never
              natOutgoing: true
              nodeSelector: all()
              vxlanMode: Never

            """.Replace("\r", "", StringComparison.Ordinal), r.Out);
    }

    [Fact]
    public async Task Get_Json_HasResourceVersionAndUid()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunAsync("get ippool ippool-1 -o json");
        Assert.Equal(0, r.ExitCode);
        var node = System.Text.Json.Nodes.JsonNode.Parse(r.Out)!;
        Assert.Equal("IPPool", node["kind"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(node["metadata"]!["resourceVersion"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(node["metadata"]!["uid"]!.GetValue<string>()));
        Assert.Equal("192.168.0.0/16", node["spec"]!["cidr"]!.GetValue<string>());
    }

    [Fact]
    public async Task FirstWrite_InitialisesTiersAndClusterInformation()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var tiers = await Ctl.RunAsync("get tier");
        Assert.Equal(
            "NAME            ORDER   \n" +
            "default         1e+06   \n" +
            "kube-admin      1000    \n" +
            "kube-baseline   1e+07   \n\n",
            tiers.Out);
        var info = await Ctl.RunAsync("get clusterinformation default -o yaml");
        Assert.Contains("datastoreReady: true", info.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ClusterInformation_IsReadOnly()
    {
        var r = await Ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: ClusterInformation
            metadata:
              name: default
            spec:
              datastoreReady: false
            """);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("operation apply is not supported on ClusterInformation: resource is readonly", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cidr: 192.168.0.0/16\n  ipipMode: Always\n  vxlanMode: Always", "ipipMode")]
    [InlineData("cidr: 192.168.0.1/16", "192.168.0.1/16")]
    [InlineData("cidr: 192.168.300.0/24", "192.168.300.0/24")]
    [InlineData("cidr: 169.254.0.0/16", "169.254.0.0/16")]
    [InlineData("cidr: 10.0.0.0/8\n  nodeSelector: \"foo ==\"", "foo ==")]
    [InlineData("cidr: 10.0.0.0/8\n  blockSize: 40", "40")]
    [InlineData("cidr: 10.0.0.0/8\n  bogusField: 1", "bogusField")]
    public async Task Apply_InvalidPool_FailsNamingValueAndWritesNothing(string spec, string named)
    {
        var r = await Ctl.RunAsync("apply -f -", $"""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: bad-pool
            spec:
              {spec}
            """);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await Ctl.RunAsync("get ippool bad-pool")).ExitCode);
    }

    [Theory]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: \"app = x\"\n", "column")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n  blockSize: big\n", "spec.blockSize: expected an integer")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n  ipipMode: Always\n  vxlanMode: CrossSubnet\n", "vxlanMode is 'CrossSubnet'")]
    public async Task Apply_BadValue_ErrorSaysWhatIsWrong(string document, string expected)
    {
        var r = await Ctl.RunAsync("apply -f -", document);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_OverlappingPool_FailsNamingBothPools()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunAsync("apply -f -", FaqPool.Replace("ippool-1", "ippool-2", StringComparison.Ordinal).Replace("192.168.0.0/16", "192.168.3.0/24", StringComparison.Ordinal));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ippool-1", r.Err, StringComparison.Ordinal);
        Assert.Contains("192.168.3.0/24", r.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await Ctl.RunAsync("get ippool ippool-2")).ExitCode);
    }

    [Fact]
    public async Task Replace_ChangedCidr_IsImmutable()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunAsync("replace -f -", FaqPool.Replace("192.168.0.0/16", "10.10.0.0/16", StringComparison.Ordinal));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("10.10.0.0/16", r.Err, StringComparison.Ordinal);
        Assert.Contains("192.168.0.0/16", (await Ctl.RunAsync("get ippool")).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: IPPool\napiVersion: projectcalico.org/v3\nmetadata:\n  name: x\n spec: [", "failed to execute command")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: NoSuchKind\nmetadata:\n  name: x\n", "NoSuchKind")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: Bad_Name\nspec:\n  cidr: 10.0.0.0/8\n", "Bad_Name")]
    public async Task Apply_BadDocument_FailsClearly(string document, string expected)
    {
        var r = await Ctl.RunAsync("apply -f -", document);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Contains("NAME", (await Ctl.RunAsync("get ippool")).Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\nx ", (await Ctl.RunAsync("get ippool")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_MultiDocumentStream_MixedKinds()
    {
        var r = await Ctl.RunAsync("apply -f -", FaqPool + """

            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata:
              name: external
              labels:
                role: external
            spec:
              nets:
              - 198.51.100.0/28
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Successfully applied 2 resource(s)\n", r.Out);
        Assert.Equal("NAME       NETS              \nexternal   198.51.100.0/28   \n\n", (await Ctl.RunAsync("get globalnetworkset -o wide")).Out);
    }

    [Fact]
    public async Task Apply_PartialFailure_ReportsPartialSuccessAndExitsOne()
    {
        var r = await Ctl.RunAsync("apply -f -", FaqPool + "\n---\n" + FaqPool.Replace("ippool-1", "ippool-2", StringComparison.Ordinal).Replace("192.168.0.0/16", "192.168.0.1/16", StringComparison.Ordinal));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Partial success: applied the first 1 out of 2 'IPPool' resources:\n", r.Out);
        Assert.StartsWith("hit error: [", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ByKindAndName_ThenMissingFails()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var del = await Ctl.RunAsync("delete ippool ippool-1");
        Assert.Equal("Successfully deleted 1 'IPPool' resource(s)\n", del.Out);
        var again = await Ctl.RunAsync("delete ippool ippool-1");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("Failed to delete 'IPPool' resource: resource does not exist: IPPool(ippool-1) with error: <nil>\n", again.Err);
        Assert.Equal(0, (await Ctl.RunAsync("delete ippool ippool-1 --skip-not-exists")).ExitCode);
    }

    [Fact]
    public async Task Apply_AddedKinds_GetByAliasAndDelete()
    {
        // BGPFilter acts (BIRD renders it for the peers that list it): applied, listed with its rule counts, deleted.
        var filter = await Ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: BGPFilter
            metadata:
              name: export-only
            spec:
              exportV4:
              - action: Accept
                matchOperator: In
                cidr: 10.0.0.0/8
            """);
        Assert.True(filter.ExitCode == 0, filter.Err);
        Assert.Equal("Successfully applied 1 'BGPFilter' resource(s)\n", filter.Out);
        var filters = (await Ctl.RunAsync("get bf")).Out.Split('\n');
        Assert.Equal(["NAME", "NUMEXPORTV4", "NUMIMPORTV4", "NUMEXPORTV6", "NUMIMPORTV6"], filters[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["export-only", "1", "0", "0", "0"], filters[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, (await Ctl.RunAsync("delete bgpfilter export-only")).ExitCode);

        var r = await Ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: CalicoNodeStatus
            metadata:
              name: node1-status
            spec:
              node: node1
              classes: [Agent, BGP]
              updatePeriodSeconds: 10
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata:
              name: try-web
              namespace: prod
            spec:
              stagedAction: Set
              selector: app == 'web'
              ingress:
              - action: Allow
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata:
              name: try-deny
            spec:
              stagedAction: Delete
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedKubernetesNetworkPolicy
            metadata:
              name: try-k8s
              namespace: prod
            spec:
              podSelector: {}
              policyTypes: [Ingress]
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("NAME           NODE    CLASSES     \nnode1-status   node1   Agent,BGP   \n\n", (await Ctl.RunAsync("get nodestatus -o wide")).Out);
        Assert.Contains("try-web", (await Ctl.RunAsync("get snp -n prod")).Out, StringComparison.Ordinal);
        Assert.Contains("try-deny", (await Ctl.RunAsync("get sgnp")).Out, StringComparison.Ordinal);
        Assert.Contains("try-k8s", (await Ctl.RunAsync("get sknp -n prod")).Out, StringComparison.Ordinal);
        Assert.Equal("Successfully deleted 1 'StagedNetworkPolicy' resource(s)\n", (await Ctl.RunAsync("delete snp try-web -n prod")).Out);
    }

    [Fact]
    public async Task Apply_StagedDeleteWithRules_FailsNamingSpec()
    {
        var r = await Ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata:
              name: try-deny
            spec:
              stagedAction: Delete
              selector: all()
            """);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Spec fields, except Tier, should all be zero-value if stagedAction is Delete", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownKind_Fails()
    {
        var r = await Ctl.RunAsync("get somekind");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("failed to get resources: resource type 'somekind' is not supported\n", r.Err);
    }

    [Fact]
    public async Task Label_SetOverwriteRemove()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        Assert.Equal("Successfully set label env on ippool ippool-1\n", (await Ctl.RunAsync("label ippool ippool-1 env=prod")).Out);
        var clash = await Ctl.RunAsync("label ippool ippool-1 env=dev");
        Assert.Equal(1, clash.ExitCode);
        Assert.Contains("please use '--overwrite'", clash.Err, StringComparison.Ordinal);
        Assert.Equal("Successfully updated label env on ippool ippool-1\n", (await Ctl.RunAsync("label ippool ippool-1 env=dev --overwrite")).Out);
        Assert.Contains("env: dev", (await Ctl.RunAsync("get ippool ippool-1 -o yaml")).Out, StringComparison.Ordinal);
        Assert.Equal("Successfully removed label env from ippool ippool-1\n", (await Ctl.RunAsync("label ippool ippool-1 env --remove")).Out);
    }

    [Fact]
    public async Task Patch_MergesSpec()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", FaqPool)).ExitCode);
        var r = await Ctl.RunArgsAsync(["patch", "ippool", "ippool-1", "-p", """{"spec":{"disabled":true}}"""]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Successfully patched 1 'IPPool' resource\n", r.Out);
        Assert.Contains("disabled: true", (await Ctl.RunAsync("get ippool ippool-1 -o yaml")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesKinds_StoredConvertedAndShownInOwnKind()
    {
        var r = await Ctl.RunAsync("apply -f -", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: prod
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny-all
              namespace: prod
            spec:
              podSelector: {}
            """);
        Assert.True(r.ExitCode == 0, r.ToString());

        var k8s = await Ctl.RunAsync("get networkpolicy.networking.k8s.io deny-all -n prod -o yaml");
        Assert.True(k8s.ExitCode == 0, k8s.ToString());
        Assert.Contains("apiVersion: networking.k8s.io/v1", k8s.Out, StringComparison.Ordinal);
        Assert.Contains("- Ingress", k8s.Out, StringComparison.Ordinal);

        var calico = await Ctl.RunAsync("get networkpolicy knp.default.deny-all -n prod -o yaml");
        Assert.True(calico.ExitCode == 0, calico.ToString());
        Assert.Contains("tier: default", calico.Out, StringComparison.Ordinal);
        Assert.Contains("order: 1000", calico.Out, StringComparison.Ordinal);

        var ns = await Ctl.RunAsync("get namespace prod -o yaml");
        Assert.Contains("kubernetes.io/metadata.name: prod", ns.Out, StringComparison.Ordinal);
        var profile = await Ctl.RunAsync("get profile kns.prod -o yaml");
        Assert.Contains("pcns.kubernetes.io/metadata.name: prod", profile.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await Ctl.RunAsync("delete networkpolicy.networking.k8s.io deny-all -n prod")).ExitCode);
        Assert.Equal(1, (await Ctl.RunAsync("get networkpolicy knp.default.deny-all -n prod")).ExitCode);
    }

    [Fact]
    public async Task Profile_DefaultAllowIsSynthesized()
    {
        var r = await Ctl.RunAsync("get profile");
        Assert.Equal("NAME                          \nprojectcalico-default-allow   \n\n", r.Out);
    }
}
