using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.FlowLogs;

namespace Calico.Felix.Rules;

/// <summary>
/// Flow logs (<see cref="RenderConfig.FlowLogs"/>): a <c>log prefix "P" group G</c> before every verdict of policy, so
/// the first packet of each flow reports which rule decided it. Only packets that reach policy are logged: the base
/// chains accept established and related packets first, so an allowed flow's later packets never pay for it.
/// DoNotTrack policies are not logged (they see every packet).
/// </summary>
public static partial class NftablesRenderer
{
    /// <summary>Whose rules a rule chain holds, for their flow-log prefixes.</summary>
    private readonly record struct FlowLogOwner(bool Profile, string Id, FlowLogDirection Direction);

    private static FlowLogOwner? PolicyFlowLogOwner(RenderContext ctx, PolicyKey key, PolicyIntent policy, bool inbound) =>
        ctx.Config.FlowLogs && !policy.DoNotTrack && FlowLogPrefix.PolicyRule(key, FlowLogDirection.Ingress, 0, FlowLogAction.Allow) is not null
            ? new FlowLogOwner(false, FlowLogPrefix.PolicyId(key), FlowLogPrefix.DirectionOf(inbound))
            : null;

    private static FlowLogOwner? ProfileFlowLogOwner(RenderContext ctx, string profileId, bool inbound) =>
        ctx.Config.FlowLogs ? new FlowLogOwner(true, FlowLogPrefix.ProfileId(profileId), FlowLogPrefix.DirectionOf(inbound)) : null;

    /// <summary>The log statement of the <paramref name="index"/>-th rule of <paramref name="owner"/>, or null.</summary>
    private static NftLog? FlowLog(FlowLogOwner? owner, int index, RuleAction action)
    {
        if (owner is not { } o || FlowLogPrefix.ActionOf(action) is not FlowLogAction a)
        {
            return null;
        }

        string prefix = o.Profile
            ? FlowLogPrefix.ForProfileRule(o.Id, o.Direction, index, a)
            : FlowLogPrefix.ForPolicyRule(o.Id, o.Direction, index, a);
        return new NftLog(prefix, FlowLogPrefix.Group(o.Direction));
    }

    /// <summary>The shared-rule key of a tier's end: per direction when flow logs give the two different prefixes.</summary>
    private static string EndOfTierKey(RenderContext ctx, string tier, bool inbound) =>
        ctx.Config.FlowLogs ? (inbound ? "end of tier in " : "end of tier out ") + tier : "end of tier " + tier;

    /// <summary>The end-of-tier drop, logged with flow logs on.</summary>
    private static NftRule EndOfTierDrop(RenderContext ctx, string tier, bool inbound)
    {
        const string Comment = ". Drop if no policies passed packet";
        if (!ctx.Config.FlowLogs)
        {
            return Commented("End of tier " + tier + Comment, ctx.PassIsClear, Counter, NftVerdict.Drop);
        }

        FlowLogDirection direction = FlowLogPrefix.DirectionOf(inbound);
        var log = new NftLog(FlowLogPrefix.ForEndOfTier(tier, direction, FlowLogAction.Deny), FlowLogPrefix.Group(direction));
        return Commented("End of tier " + tier + Comment, ctx.PassIsClear, Counter, log, NftVerdict.Drop);
    }

    /// <summary>With flow logs on, the log of a tier whose default is Pass when no policy of it decided; else null.</summary>
    private static NftRule? EndOfTierPass(RenderContext ctx, string tier, bool inbound)
    {
        if (!ctx.Config.FlowLogs)
        {
            return null;
        }

        FlowLogDirection direction = FlowLogPrefix.DirectionOf(inbound);
        ref NftRule? rule = ref SharedRule(ctx, (inbound ? "end of tier pass in " : "end of tier pass out ") + tier);
        rule ??= Commented(
            "End of tier " + tier + ". Pass to the next tier if no policies passed packet",
            ctx.PassIsClear,
            new NftLog(FlowLogPrefix.ForEndOfTier(tier, direction, FlowLogAction.Pass), FlowLogPrefix.Group(direction)));
        return rule;
    }

    /// <summary>The drop when no profile matched, logged with flow logs on.</summary>
    private static NftRule NoProfileMatchedDrop(RenderContext ctx, bool inbound)
    {
        ref NftRule? drop = ref SharedRule(ctx, ctx.Config.FlowLogs ? (inbound ? "no profile matched in" : "no profile matched out") : "no profile matched");
        if (drop is null)
        {
            FlowLogDirection direction = FlowLogPrefix.DirectionOf(inbound);
            drop = ctx.Config.FlowLogs
                ? Commented("Drop if no profiles matched", Counter, new NftLog(FlowLogPrefix.ForNoProfileMatched(direction), FlowLogPrefix.Group(direction)), NftVerdict.Drop)
                : Commented("Drop if no profiles matched", Counter, NftVerdict.Drop);
        }

        return drop;
    }
}
