using Calico.Felix.Rules.Planning;

namespace Calico.Felix.Dataplane;

/// <summary>The table our renderer writes.</summary>
internal static class NftTableNames
{
    public const string Table = NftPlanner.TableName;
}
