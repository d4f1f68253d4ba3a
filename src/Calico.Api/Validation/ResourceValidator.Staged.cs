namespace Calico.Api;

public static partial class ResourceValidator
{
    private static void CheckStagedAction(Errors errors, string? action) =>
        CheckEnum(errors, "StagedAction", action, "Set", "Delete", "Learn", "Ignore");

    /// <summary>Upstream converts the staged policy to its enforced form and validates that (validateStagedNetworkPolicy).</summary>
    private static void ValidateStagedNetworkPolicy(Errors errors, StagedNetworkPolicy staged)
    {
        var s = staged.Spec;
        CheckStagedAction(errors, s.StagedAction);
        var enforced = new NetworkPolicy
        {
            Metadata = staged.Metadata,
            Spec = new NetworkPolicySpec
            {
                Tier = s.Tier, Order = s.Order, Ingress = s.Ingress, Egress = s.Egress, Selector = s.Selector, Types = s.Types,
                ServiceAccountSelector = s.ServiceAccountSelector, PerformanceHints = s.PerformanceHints,
            },
        };
        if (s.StagedAction == "Delete")
        {
            ValidatePolicyName(errors, staged, NetworkPolicyNameRegex());
            if (s.Order is not null || s.Ingress is { Count: > 0 } || s.Egress is { Count: > 0 } || !string.IsNullOrEmpty(s.Selector)
                || s.Types is { Count: > 0 } || !string.IsNullOrEmpty(s.ServiceAccountSelector) || s.PerformanceHints is { Count: > 0 })
                errors.Add("StagedNetworkPolicySpec", null, "Spec fields, except Tier, should all be zero-value if stagedAction is Delete");
            return;
        }
        ValidateNetworkPolicy(errors, enforced);
    }

    private static void ValidateStagedGlobalNetworkPolicy(Errors errors, StagedGlobalNetworkPolicy staged)
    {
        var s = staged.Spec;
        CheckStagedAction(errors, s.StagedAction);
        var enforced = new GlobalNetworkPolicy
        {
            Metadata = staged.Metadata,
            Spec = new GlobalNetworkPolicySpec
            {
                Tier = s.Tier, Order = s.Order, Ingress = s.Ingress, Egress = s.Egress, Selector = s.Selector, Types = s.Types,
                DoNotTrack = s.DoNotTrack, PreDNAT = s.PreDNAT, ApplyOnForward = s.ApplyOnForward,
                ServiceAccountSelector = s.ServiceAccountSelector, NamespaceSelector = s.NamespaceSelector, PerformanceHints = s.PerformanceHints,
            },
        };
        if (s.StagedAction == "Delete")
        {
            ValidatePolicyName(errors, staged, GlobalNetworkPolicyNameRegex());
            if (s.Order is not null || s.Ingress is { Count: > 0 } || s.Egress is { Count: > 0 } || !string.IsNullOrEmpty(s.Selector)
                || s.Types is { Count: > 0 } || s.DoNotTrack == true || s.PreDNAT == true || s.ApplyOnForward == true
                || !string.IsNullOrEmpty(s.ServiceAccountSelector) || !string.IsNullOrEmpty(s.NamespaceSelector) || s.PerformanceHints is { Count: > 0 })
                errors.Add("StagedGlobalNetworkPolicySpec", null, "Spec fields, except Tier, should all be zero-value if stagedAction is Delete");
            return;
        }
        ValidateGlobalNetworkPolicy(errors, enforced);
    }

    private static void ValidateStagedKubernetesNetworkPolicy(Errors errors, StagedKubernetesNetworkPolicy staged)
    {
        var name = staged.Metadata.Name ?? "";
        if (name.Length > 253)
            errors.Add("Metadata.Name", name, $"name is too long by {name.Length - 253} bytes");
        ValidateMetaMaps(errors, staged);
        var s = staged.Spec;
        CheckStagedAction(errors, s.StagedAction);
        if (s.StagedAction == "Delete"
            && (s.Ingress is { Count: > 0 } || s.Egress is { Count: > 0 } || s.PolicyTypes is { Count: > 0 }
                || s.PodSelector.MatchLabels is { Count: > 0 } || s.PodSelector.MatchExpressions is { Count: > 0 }))
            errors.Add("StagedKubernetesNetworkPolicySpec", null, "Spec fields should all be zero-value if stagedAction is Delete");
    }

    private static void ValidateBgpFilter(Errors errors, BGPFilter filter)
    {
        var spec = filter.Spec;
        for (var i = 0; i < (spec.ExportV4?.Count ?? 0); i++)
        {
            var r = spec.ExportV4![i];
            ValidateBgpFilterRule(errors, $"spec.exportV4[{i}]", 4, r.Cidr, r.PrefixLength, r.Interface, r.MatchOperator, r.Action, r.Operations);
        }

        for (var i = 0; i < (spec.ImportV4?.Count ?? 0); i++)
        {
            var r = spec.ImportV4![i];
            ValidateBgpFilterRule(errors, $"spec.importV4[{i}]", 4, r.Cidr, r.PrefixLength, r.Interface, r.MatchOperator, r.Action, r.Operations);
        }

        for (var i = 0; i < (spec.ExportV6?.Count ?? 0); i++)
        {
            var r = spec.ExportV6![i];
            ValidateBgpFilterRule(errors, $"spec.exportV6[{i}]", 6, r.Cidr, r.PrefixLength, r.Interface, r.MatchOperator, r.Action, r.Operations);
        }

        for (var i = 0; i < (spec.ImportV6?.Count ?? 0); i++)
        {
            var r = spec.ImportV6![i];
            ValidateBgpFilterRule(errors, $"spec.importV6[{i}]", 6, r.Cidr, r.PrefixLength, r.Interface, r.MatchOperator, r.Action, r.Operations);
        }
    }

    /// <summary>
    /// Upstream's tags and CEL rules on BGPFilterRuleV4/V6. The CEL rules name the rule's path (upstream's CRD
    /// reports them on the rule), and the offending field within it.
    /// </summary>
    private static void ValidateBgpFilterRule(Errors errors, string path, int family, string? cidr, BGPFilterPrefixLength? prefixLength, string? iface,
        string? matchOperator, string action, List<BGPFilterOperation>? operations)
    {
        if (string.IsNullOrEmpty(action))
            errors.Add("Action", action, "Reason: failed to validate Field: Action because of Tag: required ");
        if (!string.IsNullOrEmpty(cidr) && !(Cidr.TryParse(cidr, out var net) && Cidr.Family(net) == family))
            errors.Add("CIDR", cidr, $"Reason: failed to validate Field: CIDR because of Tag: netv{family} ");
        if (!string.IsNullOrEmpty(iface) && iface != "*" && !BgpFilterInterfaceRegex().IsMatch(iface))
            errors.Add("Interface", iface, "Reason: failed to validate Field: Interface because of Tag: bgpFilterInterface ");
        if (string.IsNullOrEmpty(cidr) != string.IsNullOrEmpty(matchOperator))
            errors.Add($"{path}.{(string.IsNullOrEmpty(cidr) ? "cidr" : "matchOperator")}", null, "cidr and matchOperator must both be set or both be empty");
        if (prefixLength is not null && string.IsNullOrEmpty(cidr))
            errors.Add($"{path}.cidr", null, "cidr is required when prefixLength is set");
        if (operations is { Count: > 0 } && action != "Accept")
            errors.Add($"{path}.operations", null, "operations may only be used with action Accept");
        for (var i = 0; i < (operations?.Count ?? 0); i++)
        {
            var op = operations![i];
            var set = (op.AddCommunity is null ? 0 : 1) + (op.PrependASPath is null ? 0 : 1) + (op.SetPriority is null ? 0 : 1);
            if (set != 1)
                errors.Add($"{path}.operations[{i}]", null, "exactly one of addCommunity, prependASPath or setPriority must be set");
        }
    }

    private static void ValidateCalicoNodeStatus(Errors errors, CalicoNodeStatus status)
    {
        var spec = status.Spec;
        if (string.IsNullOrEmpty(spec.Node))
            errors.Add("Node", "", "Reason: failed to validate Field: Node because of Tag: required ");
        else if (!NameRegex().IsMatch(spec.Node))
            errors.Add("Node", spec.Node, "Reason: failed to validate Field: Node because of Tag: name ");
        if (spec.Classes is not { Count: > 0 })
            errors.Add("Classes", null, "Reason: failed to validate Field: Classes because of Tag: required ");
        else if (spec.Classes.Distinct(StringComparer.Ordinal).Count() != spec.Classes.Count)
            errors.Add("Classes", "[" + string.Join(" ", spec.Classes) + "]", "Reason: failed to validate Field: Classes because of Tag: unique ");
        if (spec.UpdatePeriodSeconds is null)
            errors.Add("UpdatePeriodSeconds", null, "Reason: failed to validate Field: UpdatePeriodSeconds because of Tag: required ");
        else if (spec.UpdatePeriodSeconds > 86400)
            errors.Add("UpdatePeriodSeconds", Str(spec.UpdatePeriodSeconds), "Reason: failed to validate Field: UpdatePeriodSeconds because of Tag: lte ");
    }
}
