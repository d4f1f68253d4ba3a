using Calico.Linux.Kernel;

namespace Calico.Linux.Tests.Kernel;

/// <summary>Pure: kernel config text in, verdict out (no kernel involved).</summary>
[Trait("Tier", "Unit")]
public class KernelVerdictsTests
{
    private const string Source = "/proc/config.gz";

    private static readonly Func<string, bool> NothingLoaded = _ => false;

    private static KernelFeatureResult JudgeIpip(string configText, Func<string, bool>? loaded = null) =>
        KernelVerdicts.Judge(KernelFeatures.Get(KernelFeatures.Ipip), KernelConfig.Parse(configText, Source), loaded ?? NothingLoaded);

    [Fact]
    public void Parse_KconfigLines_ValuesAndUnsetOptions()
    {
        var config = KernelConfig.Parse("""
            #
            # Automatically generated file; DO NOT EDIT.
            CONFIG_NF_TABLES=y
            CONFIG_VXLAN=m
            CONFIG_LOCALVERSION="-fc"
            CONFIG_HZ=1000
            # CONFIG_NET_IPIP is not set

            garbage line
            """, Source);

        Assert.Equal("y", config.Value("CONFIG_NF_TABLES"));
        Assert.Equal("m", config.Value("CONFIG_VXLAN"));
        Assert.Equal("\"-fc\"", config.Value("CONFIG_LOCALVERSION"));
        Assert.Equal("1000", config.Value("CONFIG_HZ"));
        Assert.Null(config.Value("CONFIG_NET_IPIP"));
        Assert.Null(config.Value("CONFIG_WIREGUARD"));
        Assert.Equal(4, config.Count);
        Assert.False(config.ModulesEnabled);
    }

    [Fact]
    public void Judge_IpipNotSet_AbsentNamingTheOptionAndFile()
    {
        KernelFeatureResult result = JudgeIpip("CONFIG_MODULES=y\n# CONFIG_NET_IPIP is not set\n");

        Assert.Equal(KernelFeatureState.Absent, result.State);
        Assert.Equal("CONFIG_NET_IPIP is not set in /proc/config.gz", result.Reason);
        Assert.Equal("WARNING", result.CheckStatus);
    }

    [Fact]
    public void Judge_IpipMissingFromConfig_Absent()
    {
        KernelFeatureResult result = JudgeIpip("CONFIG_MODULES=y\nCONFIG_VXLAN=y\n");

        Assert.Equal(KernelFeatureState.Absent, result.State);
        Assert.Equal("CONFIG_NET_IPIP is not set in /proc/config.gz", result.Reason);
    }

    [Fact]
    public void Judge_IpipBuiltIn_Present()
    {
        KernelFeatureResult result = JudgeIpip("CONFIG_NET_IPIP=y\n");

        Assert.Equal(KernelFeatureState.Present, result.State);
        Assert.Equal("CONFIG_NET_IPIP=y in /proc/config.gz", result.Reason);
        Assert.Equal("OK", result.CheckStatus);
    }

    [Fact]
    public void Judge_IpipModuleWithoutModuleSupport_Absent()
    {
        // What this project's kernel would say if ipip were =m: no CONFIG_MODULES, so =m can never load.
        KernelFeatureResult result = JudgeIpip("# CONFIG_MODULES is not set\nCONFIG_NET_IPIP=m\n");

        Assert.Equal(KernelFeatureState.Absent, result.State);
        Assert.Equal("CONFIG_NET_IPIP=m in /proc/config.gz but the kernel cannot load modules (CONFIG_MODULES is not set)", result.Reason);
    }

    [Fact]
    public void Judge_IpipModuleLoaded_Present()
    {
        KernelFeatureResult result = JudgeIpip("CONFIG_MODULES=y\nCONFIG_NET_IPIP=m\n", module => module == "ipip");

        Assert.Equal(KernelFeatureState.Present, result.State);
        Assert.Equal("CONFIG_NET_IPIP=m in /proc/config.gz, module ipip loaded", result.Reason);
    }

    [Fact]
    public void Judge_IpipModuleNotLoaded_UntestedThenTheTrialDecides()
    {
        KernelFeatureResult result = JudgeIpip("CONFIG_MODULES=y\nCONFIG_NET_IPIP=m\n");

        Assert.Equal(KernelFeatureState.Untested, result.State);
        KernelFeatureResult tried = KernelVerdicts.WithTrial(result, worked: true, "created a ipip link in a throwaway namespace");
        Assert.Equal(KernelFeatureState.Present, tried.State);
        Assert.Equal("CONFIG_NET_IPIP=m in /proc/config.gz, module ipip not loaded; created a ipip link in a throwaway namespace", tried.Reason);
    }

    [Fact]
    public void Judge_NoConfig_UntestedAndAFailedTrialIsAbsent()
    {
        KernelFeature ipip = KernelFeatures.Get(KernelFeatures.Ipip);
        KernelFeatureResult result = KernelVerdicts.Judge(ipip, config: null, NothingLoaded);

        Assert.Equal(KernelFeatureState.Untested, result.State);
        KernelFeatureResult tried = KernelVerdicts.WithTrial(result, worked: false, "the kernel does not support it (EOPNOTSUPP)");
        Assert.Equal(KernelFeatureState.Absent, tried.State);
        Assert.Equal("no kernel config found; the kernel does not support it (EOPNOTSUPP)", tried.Reason);
    }

    [Fact]
    public void WithTrial_DecidedVerdict_Unchanged()
    {
        KernelFeatureResult result = JudgeIpip("# CONFIG_NET_IPIP is not set\n");

        Assert.Same(result, KernelVerdicts.WithTrial(result, worked: true, "ignored"));
    }

    [Theory]
    [InlineData("CONFIG_NF_TABLES=y\nCONFIG_NF_TABLES_INET=y\n", KernelFeatureState.Present, "OK")]
    [InlineData("CONFIG_NF_TABLES=y\n# CONFIG_NF_TABLES_INET is not set\n", KernelFeatureState.Absent, "FAIL")]
    [InlineData("CONFIG_NF_TABLES=y\nCONFIG_NF_TABLES_INET=\"odd\"\n", KernelFeatureState.Absent, "FAIL")]
    public void Judge_RequiredFeatureNeedsEveryOption(string configText, KernelFeatureState state, string checkStatus)
    {
        KernelFeatureResult result = KernelVerdicts.Judge(KernelFeatures.Get(KernelFeatures.Nftables), KernelConfig.Parse(configText, Source), NothingLoaded);

        Assert.Equal(state, result.State);
        Assert.Equal(checkStatus, result.CheckStatus);
    }

    [Fact]
    public void Capabilities_OptionalFeatureMissing_StillMeetsRequirements()
    {
        var config = KernelConfig.Parse("CONFIG_NF_TABLES=y\nCONFIG_NF_TABLES_INET=y\nCONFIG_VETH=y\n", Source);
        var capabilities = new KernelCapabilities("6.18", Source, [.. KernelFeatures.All.Select(f => KernelVerdicts.Judge(f, config, NothingLoaded))]);

        Assert.True(capabilities.MeetsRequirements);
        Assert.False(capabilities.Has(KernelFeatures.Wireguard));
        Assert.True(capabilities.Has(KernelFeatures.Veth));
    }
}
