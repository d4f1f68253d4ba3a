using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Internal;

/// <summary>Rendered rules of a policy or profile plus the distinct IP sets they reference.</summary>
internal sealed record ParsedRules(IReadOnlyList<RuleModel> Inbound, IReadOnlyList<RuleModel> Outbound, IReadOnlyList<IpSetDefinition> IpSets);
