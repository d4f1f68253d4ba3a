using Calico.Goldmane.Api;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Store;

/// <summary>A statistics result key: the policy, and for group-by PolicyRule the rule's action, index and direction.</summary>
internal readonly record struct StatisticsKey(PolicyId Policy, FlowAction Action, long RuleIndex, RuleDirection Direction);
