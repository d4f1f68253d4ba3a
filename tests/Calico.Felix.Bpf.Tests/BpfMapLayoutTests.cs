using System.Buffers.Binary;
using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf.Tests;

/// <summary>The bytes of calico_maps.h's structs, field by field (the root test checks the sizes against the kernel's).</summary>
[Trait("Tier", "Unit")]
public sealed class BpfMapLayoutTests
{
    [Fact]
    public void TheGeneration_IsOddWhileAWriteIsUnderWay_AndEvenAfter_CarryingOnFromThePinnedValue()
    {
        static ulong Of(byte[] value) => BinaryPrimitives.ReadUInt64LittleEndian(value);
        Assert.Equal(1UL, Of(BpfMapLayout.WritingGeneration(null)));
        Assert.Equal(2UL, Of(BpfMapLayout.NextGeneration(BpfMapLayout.Generation(1))));
        Assert.Equal(2UL, Of(BpfMapLayout.NextGeneration(null))); // never written: straight to a usable generation
        Assert.Equal(43UL, Of(BpfMapLayout.WritingGeneration(BpfMapLayout.Generation(42))));
        Assert.Equal(43UL, Of(BpfMapLayout.WritingGeneration(BpfMapLayout.Generation(43)))); // a killed agent's: still writing
        Assert.Equal(44UL, Of(BpfMapLayout.NextGeneration(BpfMapLayout.Generation(43))));
        Assert.Equal(44UL, Of(BpfMapLayout.NextGeneration(BpfMapLayout.Generation(42))));
        Assert.Equal(2UL, Of(BpfMapLayout.NextGeneration(BpfMapLayout.Generation(ulong.MaxValue)))); // never 0
    }

    [Fact]
    public void OnlyTheMapsTheRuleWalkReads_MakeKeptVerdictsStale()
    {
        string[] walked = [BpfMapLayout.EndpointMap, BpfMapLayout.RuleMap, BpfMapLayout.IpSetMap, BpfMapLayout.RunMap, BpfMapLayout.RunPortMap];
        Assert.All(walked, map => Assert.True(BpfMapLayout.ChangesVerdicts(map), map));
        Assert.All(BpfMapLayout.AgentWrittenMaps.Except(walked), map => Assert.False(BpfMapLayout.ChangesVerdicts(map), map));
    }

    [Fact]
    public void EndpointValue_IsFlagsTablesAndToHostAction()
    {
        byte[] v = BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, 7, 9, EndpointToHostAction.Accept);
        Assert.Equal([1, 0, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0], v);
        Assert.Equal(1, BpfMapLayout.EndpointValue(0, 0, 0, EndpointToHostAction.Return)[12]);
    }

    [Fact]
    public void RuleValue_PutsEachFieldAtItsOffset()
    {
        var rule = new FlatRule
        {
            Action = FlatAction.Next,
            IpVersion = 4,
            Protocol = 6,
            NotIcmpType = 8,
            NotIcmpCode = 1,
            Jump = 0x01020304,
            SrcSets = [5, 6],
            NotDstSets = [11],
            DstPorts = [new PortRange(80, 80), new PortRange(8000, 8080)],
            NotSrcPorts = [new PortRange(1, 2)],
            Origin = new FlatRuleOrigin(FlatRuleOriginKind.PolicyRule, "p", 0),
        };
        byte[] v = BpfMapLayout.RuleValue(rule);
        Assert.Equal(BpfMapLayout.RuleValueSize, v.Length);
        Assert.Equal([5, 4, 6, 0, 0, 0, 8, 1], v[..8]);
        Assert.Equal(0x01 | 0x10 | 0x20, BinaryPrimitives.ReadUInt16LittleEndian(v.AsSpan(8)));
        Assert.Equal([0, 1, 2, 0], v[10..14]);
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(v.AsSpan(16)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(v.AsSpan(24)));
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(v.AsSpan(28)));
        Assert.Equal(11u, BinaryPrimitives.ReadUInt32LittleEndian(v.AsSpan(48)));
        Assert.Equal([1, 0, 2, 0], v[72..76]);
        Assert.Equal([80, 0, 80, 0, 0x40, 0x1f, 0x90, 0x1f], v[88..96]);
    }

    [Fact]
    public void RuleValue_RefusesMoreThanOneEntryHolds()
    {
        var rule = new FlatRule { Action = FlatAction.Allow, SrcSets = [1, 2, 3], Origin = new FlatRuleOrigin(FlatRuleOriginKind.PolicyRule, "p", 0) };
        Assert.Contains("source sets", Assert.Throws<ArgumentException>(() => BpfMapLayout.RuleValue(rule)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunRule_FlagsTheRunAndItsSide_AndCarriesItsId()
    {
        var rule = new FlatRule { Action = FlatAction.Deny, Run = 0x0a0b0c0d, RunOnDestination = true, RunAnyProtocol = true, Origin = new FlatRuleOrigin(FlatRuleOriginKind.MergedRun, "p .. q", 2) };
        byte[] v = BpfMapLayout.RuleValue(rule);
        Assert.Equal(0x40 | 0x80 | 0x100, BinaryPrimitives.ReadUInt16LittleEndian(v.AsSpan(8)));
        Assert.Equal(0x0a0b0c0du, BinaryPrimitives.ReadUInt32LittleEndian(v.AsSpan(20)));
        Assert.Equal(0x40, BinaryPrimitives.ReadUInt16LittleEndian(BpfMapLayout.RuleValue(rule with { RunOnDestination = false, RunAnyProtocol = false }).AsSpan(8)));
    }

    [Fact]
    public void RunKey_CountsRunProtocolAndFamilyInThePrefix_AndPortWordsAreSparseBitmaps()
    {
        byte[] k = BpfMapLayout.RunKey(3, BpfMapLayout.RunAnyProtocol, IpSetMember.Parse("fd00:1::/64"));
        Assert.Equal(BpfMapLayout.RunKeySize, k.Length);
        Assert.Equal(64u + 64, BinaryPrimitives.ReadUInt32LittleEndian(k));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(k.AsSpan(4)));
        Assert.Equal(256, BinaryPrimitives.ReadUInt16LittleEndian(k.AsSpan(8)));
        Assert.Equal([6, 0, 0xfd, 0, 0, 1], k[10..16]);
        Assert.Equal([7, 0, 0, 0], BpfMapLayout.RunValue(7));
        Assert.Equal([9, 0, 0, 0, 2, 0, 0, 0], BpfMapLayout.RunPortKey(9, 2));
        // 80 is word 1 bit 16; 127-129 spans words 1 and 2.
        Assert.Equal([(1u, (1UL << 16) | (1UL << 63)), (2u, 0b11UL)], BpfMapLayout.PortWords([new PortRange(80, 80), new PortRange(127, 129)]));
    }

    [Fact]
    public void IpSetKey_CountsSetAndFamilyInThePrefix()
    {
        byte[] k = BpfMapLayout.IpSetKey(3, IpSetMember.Parse("10.1.2.3/16"));
        Assert.Equal(64u + 16, BinaryPrimitives.ReadUInt32LittleEndian(k));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(k.AsSpan(4)));
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(k.AsSpan(8)));
        Assert.Equal([10, 1, 0, 0, 0, 0], k[12..18]);
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(BpfMapLayout.IpSetKey(3, IpSetMember.Parse("fd00::1")).AsSpan(8)));
    }

    [Fact]
    public void ConntrackKey_IsTheSameFromBothEnds()
    {
        IPAddress a = IPAddress.Parse("10.65.0.2");
        IPAddress b = IPAddress.Parse("10.65.0.1");
        byte[] forward = BpfMapLayout.ConntrackKey(a, 40000, b, 80, 6);
        Assert.Equal(forward, BpfMapLayout.ConntrackKey(b, 80, a, 40000, 6));
        Assert.Equal([10, 65, 0, 1], forward[..4]);                    // the lower address first
        Assert.Equal([0, 80, 0x9c, 0x40, 6, 4], forward[32..38]);      // its port first, network order
    }

    [Fact]
    public void ConntrackValue_ReadsBack()
    {
        var v = new byte[BpfMapLayout.ConntrackValueSize];
        v[16] = 2;
        v[17] = 1;
        v[20] = 5;
        v[24] = 6;
        var entry = BpfMapLayout.ReadConntrackValue(v);
        Assert.Equal(ConntrackState.Established, entry.State);
        Assert.Equal(ConntrackOpener.High, entry.Opener);
        Assert.Equal((5u, 6u), (entry.EgressApprovedIfindex, entry.IngressApprovedIfindex));
        Assert.Equal(v, BpfMapLayout.ConntrackValue(entry));
    }

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("nope")]
    [InlineData("::ffff:10.0.0.1")]
    public void IpSetMember_RefusesBadCidrs(string cidr) =>
        Assert.Contains(cidr, Assert.Throws<Calico.Api.ValidationException>(() => IpSetMember.Parse(cidr)).Message, StringComparison.Ordinal);
}
